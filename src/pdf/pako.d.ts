/** What native-deflate.ts uses of pako (pdf-lib's zlib, which ships no types). */
declare module "pako" {
  const pako: { deflate(data: Uint8Array): Uint8Array };
  export default pako;
}
