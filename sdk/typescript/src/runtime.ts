/**
 * What the SDK needs beyond `fetch`, found at run time so one ESM build serves Node 18+,
 * Bun, Deno and browsers. Node built-ins are imported through a variable so bundlers for
 * the browser do not try to include them.
 */
const nodeBuiltin = (name: string): Promise<any> => import(/* @vite-ignore */ /* webpackIgnore: true */ name);

/** WebCrypto: global on Node 19+, Bun, Deno and browsers; `node:crypto` on Node 18. */
export async function webCrypto(): Promise<Crypto> {
  return globalThis.crypto?.subtle ? globalThis.crypto : ((await nodeBuiltin("node:crypto")).webcrypto as Crypto);
}

/** A file's bytes from a path (Node, Bun, Deno). */
export async function readFileBytes(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const fs = await nodeBuiltin("node:fs/promises");
  return new Uint8Array(await fs.readFile(path));
}

/** `process.env.NAME` where there is a process (Node, Bun), otherwise undefined. */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
