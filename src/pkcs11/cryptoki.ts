// The few PKCS#11 (Cryptoki 2.40) calls a signer needs, bound with bun:ffi.
//
// bun:ffi is part of Bun, so this binding adds no package, needs no C compiler at install
// and lives inside the `bun build --compile` executable; the admin's PKCS#11 library is
// opened at run time from the configured path. The layout below is the LP64 one (Linux,
// macOS: CK_ULONG is 8 bytes, structures are naturally aligned); Windows packs the
// structures and uses 4-byte longs, and is refused.
import { dlopen, FFIType, linkSymbols, ptr, read, type FFIFunction, type Pointer } from "bun:ffi";

export const CKA = {
  CLASS: 0x0,
  LABEL: 0x3,
  VALUE: 0x11,
  KEY_TYPE: 0x100,
  ID: 0x102,
  ALWAYS_AUTHENTICATE: 0x202,
} as const;
export const CKO = { CERTIFICATE: 1, PRIVATE_KEY: 3 } as const;
export const CKK = { RSA: 0x0, EC: 0x3 } as const;
export const CKM = { RSA_PKCS: 0x1, RSA_PKCS_PSS: 0xd, SHA256: 0x250, SHA384: 0x260, SHA512: 0x270, ECDSA: 0x1041 } as const;
export const CKG = { MGF1_SHA256: 0x2, MGF1_SHA384: 0x3, MGF1_SHA512: 0x4 } as const;
const CKU = { USER: 1, CONTEXT_SPECIFIC: 2 } as const;
const CKF = { SERIAL_SESSION: 0x4, TOKEN_INITIALIZED: 0x400, USER_PIN_FINAL_TRY: 0x20000, USER_PIN_LOCKED: 0x40000 } as const;

/** Return values worth a name in a message; the others are shown in hex. */
export const CKR = {
  OK: 0x0,
  GENERAL_ERROR: 0x5,
  FUNCTION_FAILED: 0x6,
  ARGUMENTS_BAD: 0x7,
  ATTRIBUTE_SENSITIVE: 0x11,
  ATTRIBUTE_TYPE_INVALID: 0x12,
  DEVICE_ERROR: 0x30,
  DEVICE_REMOVED: 0x32,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  MECHANISM_PARAM_INVALID: 0x71,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  BUFFER_TOO_SMALL: 0x150,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

const CKR_NAMES = new Map<number, string>(Object.entries(CKR).map(([name, code]) => [code, `CKR_${name}`]));

/** A PKCS#11 call failed; `rv` is its CK_RV. */
export class Pkcs11Error extends Error {
  override name = "Pkcs11Error";
  constructor(
    readonly fn: string,
    readonly rv: number,
  ) {
    super(`${fn} failed: ${CKR_NAMES.get(rv) ?? `CKR 0x${rv.toString(16)}`}`);
  }
}

/** One attribute of a search template: a CK_ULONG or bytes. */
export type Attribute = [type: number, value: number | Uint8Array];

export interface TokenInfo {
  slot: number;
  label: string;
  initialized: boolean;
  /** The token counts wrong PINs and the next one locks the user PIN (or already has). */
  pinFinalTry: boolean;
  pinLocked: boolean;
}

export interface Mechanism {
  type: number;
  /** CK_RSA_PKCS_PSS_PARAMS for RSA-PSS. */
  pss?: { hash: number; mgf: number; saltLength: number };
}

/** A loaded PKCS#11 library: plain synchronous calls, numbers for handles. */
export interface Cryptoki {
  tokens(): TokenInfo[];
  openSession(slot: number): number;
  closeSession(session: number): void;
  /** Logs the user in; a user already logged in (by another session of this process) is fine. */
  login(session: number, pin: string): void;
  findObjects(session: number, template: Attribute[]): number[];
  /** The attribute's bytes, or undefined when the object does not have it or keeps it secret. */
  attribute(session: number, object: number, type: number): Uint8Array<ArrayBuffer> | undefined;
  /** Signs inside the token; `pin` answers a key that wants a login before every use (CKA_ALWAYS_AUTHENTICATE). */
  sign(session: number, key: number, mechanism: Mechanism, data: Uint8Array, pin?: string): Uint8Array;
}

const ULONG = 8;
const UNAVAILABLE = 0xffff_ffff_ffff_ffffn; // CK_UNAVAILABLE_INFORMATION

/** The functions we call, by their index in CK_FUNCTION_LIST after the 8-byte CK_VERSION (padded). */
const FUNCTIONS = {
  C_Initialize: { index: 0, args: [FFIType.ptr] },
  C_GetSlotList: { index: 4, args: [FFIType.u8, FFIType.ptr, FFIType.ptr] },
  C_GetTokenInfo: { index: 6, args: [FFIType.u64, FFIType.ptr] },
  C_OpenSession: { index: 12, args: [FFIType.u64, FFIType.u64, FFIType.ptr, FFIType.ptr, FFIType.ptr] },
  C_CloseSession: { index: 13, args: [FFIType.u64] },
  C_Login: { index: 18, args: [FFIType.u64, FFIType.u64, FFIType.ptr, FFIType.u64] },
  C_GetAttributeValue: { index: 24, args: [FFIType.u64, FFIType.u64, FFIType.ptr, FFIType.u64] },
  C_FindObjectsInit: { index: 26, args: [FFIType.u64, FFIType.ptr, FFIType.u64] },
  C_FindObjects: { index: 27, args: [FFIType.u64, FFIType.ptr, FFIType.u64, FFIType.ptr] },
  C_FindObjectsFinal: { index: 28, args: [FFIType.u64] },
  C_SignInit: { index: 42, args: [FFIType.u64, FFIType.ptr, FFIType.u64] },
  C_Sign: { index: 43, args: [FFIType.u64, FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.ptr] },
} as const;

type Fn = keyof typeof FUNCTIONS;

/** A CK_ATTRIBUTE array { type, pValue, ulValueLen }, and the value buffers it points into (keep them referenced through the call). */
function encodeTemplate(template: Attribute[]): { array: BigUint64Array; values: Uint8Array[] } {
  const array = new BigUint64Array(Math.max(1, template.length) * 3);
  const values = template.map(([type, value], i) => {
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(BigUint64Array.of(BigInt(value)).buffer);
    array[i * 3] = BigInt(type);
    array[i * 3 + 1] = bytes.length ? BigInt(ptr(bytes)) : 0n;
    array[i * 3 + 2] = BigInt(bytes.length);
    return bytes;
  });
  return { array, values };
}

/** A fixed-width, blank-padded UTF-8 field of a PKCS#11 info structure. */
const paddedText = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/[ \0]+$/, "");

/** Loaded libraries by path; the dlopen handle stays referenced because the function pointers live in it. */
const loaded = new Map<string, { cryptoki: Cryptoki; library: object }>();

/**
 * Opens the PKCS#11 library at `path` and initialises it. A library keeps its state per
 * process (C_Initialize once, logins shared by every session), so each path is loaded
 * once per process and never finalised.
 */
export function loadCryptoki(path: string): Cryptoki {
  const known = loaded.get(path);
  if (known) return known.cryptoki;
  if (process.platform === "win32") throw new Error("PKCS#11 modules are supported on Linux and macOS");
  const lib = dlopen(path, { C_GetFunctionList: { args: [FFIType.ptr], returns: FFIType.u64_fast } });
  const listPtr = new BigUint64Array(1);
  const rv = Number(lib.symbols.C_GetFunctionList(listPtr));
  if (rv !== CKR.OK) throw new Pkcs11Error("C_GetFunctionList", rv);
  const list = Number(listPtr[0]);
  const symbols = Object.fromEntries(
    Object.entries(FUNCTIONS).map(([name, f]) => [name, { args: [...f.args], returns: FFIType.u64_fast, ptr: read.ptr(list, 8 + f.index * 8) as Pointer }]),
  ) as unknown as Record<Fn, FFIFunction>;
  const fns = linkSymbols(symbols).symbols as unknown as Record<Fn, (...args: unknown[]) => number | bigint>;
  const call = (fn: Fn, ...args: unknown[]): number => Number(fns[fn](...args));
  const check = (fn: Fn, ...args: unknown[]) => {
    const code = call(fn, ...args);
    if (code !== CKR.OK) throw new Pkcs11Error(fn, code);
  };

  const init = call("C_Initialize", null);
  if (init !== CKR.OK && init !== CKR.CRYPTOKI_ALREADY_INITIALIZED) throw new Pkcs11Error("C_Initialize", init);

  const ulong = () => new BigUint64Array(1);
  const login = (session: number, userType: number, pin: string) => {
    const bytes = new TextEncoder().encode(pin);
    return call("C_Login", session, userType, bytes.length ? bytes : null, bytes.length);
  };

  const cryptoki: Cryptoki = {
    tokens() {
      const count = ulong();
      check("C_GetSlotList", 1, null, count);
      const slots = new BigUint64Array(Number(count[0]));
      if (slots.length) check("C_GetSlotList", 1, slots, count);
      return [...slots.subarray(0, Number(count[0]))].map((id) => {
        const slot = Number(id);
        const info = new Uint8Array(256); // CK_TOKEN_INFO is 208 bytes on LP64
        check("C_GetTokenInfo", slot, info);
        const flags = Number(new DataView(info.buffer).getBigUint64(96, true));
        const has = (flag: number) => (flags & flag) !== 0;
        return {
          slot,
          label: paddedText(info.subarray(0, 32)),
          initialized: has(CKF.TOKEN_INITIALIZED),
          pinFinalTry: has(CKF.USER_PIN_FINAL_TRY),
          pinLocked: has(CKF.USER_PIN_LOCKED),
        };
      });
    },
    openSession(slot) {
      const session = ulong();
      check("C_OpenSession", slot, CKF.SERIAL_SESSION, null, null, session);
      return Number(session[0]);
    },
    closeSession(session) {
      call("C_CloseSession", session);
    },
    login(session, pin) {
      const code = login(session, CKU.USER, pin);
      if (code !== CKR.OK && code !== CKR.USER_ALREADY_LOGGED_IN) throw new Pkcs11Error("C_Login", code);
    },
    findObjects(session, template) {
      const { array, values } = encodeTemplate(template);
      check("C_FindObjectsInit", session, array, template.length);
      void values; // referenced until C_FindObjectsInit has read the template
      const found: number[] = [];
      try {
        const batch = new BigUint64Array(16);
        const count = ulong();
        do {
          check("C_FindObjects", session, batch, batch.length, count);
          for (const handle of batch.subarray(0, Number(count[0]))) found.push(Number(handle));
        } while (Number(count[0]) === batch.length);
      } finally {
        call("C_FindObjectsFinal", session);
      }
      return found;
    },
    attribute(session, object, type) {
      const query = BigUint64Array.of(BigInt(type), 0n, 0n);
      const code = call("C_GetAttributeValue", session, object, query, 1);
      if (code === CKR.ATTRIBUTE_TYPE_INVALID || code === CKR.ATTRIBUTE_SENSITIVE || query[2] === UNAVAILABLE) return undefined;
      if (code !== CKR.OK) throw new Pkcs11Error("C_GetAttributeValue", code);
      const value = new Uint8Array(Number(query[2]));
      if (!value.length) return value;
      query[1] = BigInt(ptr(value));
      check("C_GetAttributeValue", session, object, query, 1);
      return value.subarray(0, Number(query[2]));
    },
    sign(session, key, mechanism, data, pin) {
      // CK_MECHANISM { mechanism, pParameter, ulParameterLen }, with CK_RSA_PKCS_PSS_PARAMS { hashAlg, mgf, sLen }.
      const params = mechanism.pss ? BigUint64Array.of(BigInt(mechanism.pss.hash), BigInt(mechanism.pss.mgf), BigInt(mechanism.pss.saltLength)) : null;
      const mech = BigUint64Array.of(BigInt(mechanism.type), params ? BigInt(ptr(params)) : 0n, params ? BigInt(params.byteLength) : 0n);
      check("C_SignInit", session, mech, key);
      void params; // referenced until C_SignInit has read the mechanism
      if (pin !== undefined) {
        const code = login(session, CKU.CONTEXT_SPECIFIC, pin);
        if (code !== CKR.OK) throw new Pkcs11Error("C_Login", code);
      }
      // Two-call convention: the length first (the operation stays active), then the value.
      const length = ulong();
      check("C_Sign", session, data, data.length, null, length);
      const signature = new Uint8Array(Number(length[0]));
      check("C_Sign", session, data, data.length, signature, length);
      return signature.subarray(0, Number(length[0]));
    },
  };
  loaded.set(path, { cryptoki, library: lib });
  return cryptoki;
}

export const ulongAttribute = (bytes: Uint8Array | undefined): number | undefined =>
  bytes?.length === ULONG ? Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)) : undefined;
