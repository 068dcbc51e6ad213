// A SoftHSM2 token made by the test: keys generated inside the token (or imported) with
// OpenSC's pkcs11-tool, certificates issued by a test CA with openssl. SoftHSM reads its
// configuration (SOFTHSM2_CONF) and its token list once per process, so a process that
// loads the module sees only the tokens that existed then.
import { dlopen, FFIType } from "bun:ffi";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { run, tempDir } from "./spawn";

export const SOFTHSM_MODULE =
  ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"].find(
    (path) => existsSync(path),
  ) ?? "/usr/lib/softhsm/libsofthsm2.so";

export type HsmKeyKind = "rsa" | "p256" | "p384" | "p521";

export interface HsmKeySpec {
  label: string;
  kind: HsmKeyKind;
  /** Made by openssl and written into the token, as a key delivered by a CA would be; default: generated inside. */
  imported?: boolean;
  /** Store the certificate on the token next to the key (default true). */
  certificateOnToken?: boolean;
  /** Issue a certificate that expired yesterday. */
  expired?: boolean;
  /** The key wants the PIN again before each signature (CKA_ALWAYS_AUTHENTICATE). */
  alwaysAuthenticate?: boolean;
}

export interface SoftHsmToken {
  dir: string;
  /** The SOFTHSM2_CONF file pointing at this token's directory. */
  conf: string;
  tokenLabel: string;
  pin: string;
  /** The test CA's certificate (PEM), issuer of every key's certificate. */
  caPath: string;
  /** PEM of the key's certificate followed by the CA's: a `seal.certificatePath` file. */
  chainPath(keyLabel: string): string;
  certificatePem(keyLabel: string): string;
  /** The environment a server needs to seal with `keyLabel`. */
  env(keyLabel: string, extra?: Record<string, string>): Record<string, string>;
  /** Writes an openssl private key (PEM file) into the token under `label`, as a CA-delivered key would arrive. */
  importKey(label: string, keyFile: string): void;
}

function must(cmd: string[], env?: Record<string, string>): string {
  const r = run(cmd, { env });
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const KEY_TYPE: Record<HsmKeyKind, { pkcs11: string; openssl: string[] }> = {
  rsa: { pkcs11: "rsa:2048", openssl: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"] },
  p256: { pkcs11: "EC:prime256v1", openssl: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"] },
  p384: { pkcs11: "EC:secp384r1", openssl: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"] },
  p521: { pkcs11: "EC:secp521r1", openssl: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"] },
};

/**
 * The SubjectPublicKeyInfo of a key generated in the token. pkcs11-tool 0.23 exports RSA
 * keys but not P-384 ones ("cannot create EVP_PKEY"), so EC keys are rebuilt from the
 * CKA_EC_PARAMS and CKA_EC_POINT it lists.
 */
function publicKeyOf(kind: HsmKeyKind, tool: string[], id: string, env: Record<string, string>, out: string): Uint8Array {
  if (kind === "rsa") {
    must([...tool, "--read-object", "--type", "pubkey", "--id", id, "--output-file", out], env);
    return new Uint8Array(readFileSync(out));
  }
  // The listing has every public key (--id does not filter it): take the block of this one.
  const block = must([...tool, "--list-objects", "--type", "pubkey"], env)
    .split(/^(?=\S)/m)
    .find((b) => new RegExp(`^\\s+ID:\\s+${id}$`, "m").test(b));
  if (!block) throw new Error(`public key ${id} not listed by pkcs11-tool`);
  const hex = (name: string) => Buffer.from(new RegExp(`${name}:\\s+([0-9a-f]+)`).exec(block)![1]!, "hex");
  const point = AsnConvert.parse(hex("EC_POINT"), OctetString); // CKA_EC_POINT is a DER OCTET STRING
  const spki = new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.2.1", parameters: new Uint8Array(hex("EC_PARAMS")).buffer }),
    subjectPublicKey: point.buffer,
  });
  return new Uint8Array(AsnConvert.serialize(spki));
}

/** A fresh SoftHSM2 token in its own directory, holding the given keys and certificates. */
export function createSoftHsmToken(opts: { keys: HsmKeySpec[]; tokenLabel?: string; pin?: string }): SoftHsmToken {
  const dir = tempDir("certyneo-softhsm-");
  const tokenLabel = opts.tokenLabel ?? "Certyneo Seal";
  const pin = opts.pin ?? "123456";
  const conf = join(dir, "softhsm2.conf");
  must(["mkdir", "-p", join(dir, "tokens")]);
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { SOFTHSM2_CONF: conf };
  must(["softhsm2-util", "--init-token", "--free", "--label", tokenLabel, "--so-pin", "87654321", "--pin", pin], env);
  const tool = ["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", tokenLabel, "--login", "--pin", pin];

  const caKey = join(dir, "ca.key");
  const caPath = join(dir, "ca.pem");
  must(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", caKey, "-out", caPath,
    "-days", "60", "-subj", "/CN=Certyneo Test HSM CA/O=Certyneo Tests", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  const ext = join(dir, "seal.ext");
  writeFileSync(ext, "keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=CA:FALSE\n");

  const writeKey = (label: string, id: string, keyFile: string) => {
    must(["openssl", "pkey", "-in", keyFile, "-outform", "DER", "-out", `${keyFile}.der`]);
    must([...tool, "--write-object", `${keyFile}.der`, "--type", "privkey", "--label", label, "--id", id, "--usage-sign"], env);
  };

  opts.keys.forEach((key, i) => {
    const id = (i + 1).toString(16).padStart(2, "0");
    const base = join(dir, `key-${id}`);
    if (key.imported) {
      must(["openssl", "genpkey", ...KEY_TYPE[key.kind].openssl, "-out", `${base}.key.pem`]);
      writeKey(key.label, id, `${base}.key.pem`);
      must(["openssl", "pkey", "-in", `${base}.key.pem`, "-pubout", "-out", `${base}.pub.pem`]);
    } else {
      must([...tool, "--keypairgen", "--key-type", KEY_TYPE[key.kind].pkcs11, "--label", key.label, "--id", id, ...(key.alwaysAuthenticate ? ["--always-auth"] : [])], env);
      writeFileSync(`${base}.pub.der`, publicKeyOf(key.kind, tool, id, env, `${base}.pub.der`));
      must(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", `${base}.pub.der`, "-out", `${base}.pub.pem`]);
    }
    // The CA signs the token's public key: the private key never leaves the token.
    must(["openssl", "x509", "-new", "-subj", `/CN=HSM seal ${key.label}/O=Certyneo Tests`, "-force_pubkey", `${base}.pub.pem`,
      "-CA", caPath, "-CAkey", caKey, "-days", key.expired ? "-1" : "30", "-extfile", ext, "-out", `${base}.crt.pem`]);
    if (key.certificateOnToken ?? true) {
      must(["openssl", "x509", "-in", `${base}.crt.pem`, "-outform", "DER", "-out", `${base}.crt.der`]);
      must([...tool, "--write-object", `${base}.crt.der`, "--type", "cert", "--label", key.label, "--id", id], env);
    }
  });

  const baseOf = (label: string) => {
    const i = opts.keys.findIndex((k) => k.label === label);
    if (i < 0) throw new Error(`no key labelled ${label} in this test token`);
    return join(dir, `key-${(i + 1).toString(16).padStart(2, "0")}`);
  };
  const token: SoftHsmToken = {
    dir,
    conf,
    tokenLabel,
    pin,
    caPath,
    certificatePem: (label) => readFileSync(`${baseOf(label)}.crt.pem`, "utf8"),
    chainPath(label) {
      const path = `${baseOf(label)}.chain.pem`;
      writeFileSync(path, token.certificatePem(label) + readFileSync(caPath, "utf8"));
      return path;
    },
    importKey: (label, keyFile) => writeKey(label, Buffer.from(label).toString("hex"), keyFile),
    env: (keyLabel, extra = {}) => ({
      SOFTHSM2_CONF: conf,
      CERTYNEO_SEAL_PKCS11_MODULE: SOFTHSM_MODULE,
      CERTYNEO_SEAL_PKCS11_TOKEN_LABEL: tokenLabel,
      CERTYNEO_SEAL_PKCS11_PIN: pin,
      CERTYNEO_SEAL_PKCS11_KEY_LABEL: keyLabel,
      ...extra,
    }),
  };
  return token;
}

/** Keys of the token shared by this process's in-process tests: one per algorithm and case. */
export const SHARED_KEYS = {
  rsa: { label: "seal-rsa", kind: "rsa" },
  p256: { label: "seal-p256", kind: "p256", certificateOnToken: false },
  p384: { label: "seal-p384", kind: "p384" },
  p521: { label: "seal-p521", kind: "p521", imported: true },
  imported: { label: "seal-imported", kind: "rsa", imported: true },
  expired: { label: "seal-expired", kind: "p256", expired: true },
  alwaysAuthenticate: { label: "seal-always-auth", kind: "p256", alwaysAuthenticate: true },
} as const satisfies Record<string, HsmKeySpec>;

let shared: SoftHsmToken | undefined;

/**
 * The one token this test process loads SoftHSM with. SoftHSM reads SOFTHSM2_CONF with
 * getenv() and lists its tokens once, when the server first loads it; Bun's process.env
 * does not reach the C environment, so the variable is set there with libc's setenv.
 */
export function sharedSoftHsm(): SoftHsmToken {
  if (shared) return shared;
  shared = createSoftHsmToken({ keys: Object.values(SHARED_KEYS) });
  const libc = dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", {
    setenv: { args: [FFIType.cstring, FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
  });
  libc.symbols.setenv(Buffer.from("SOFTHSM2_CONF\0"), Buffer.from(`${shared.conf}\0`), 1);
  libc.close();
  return shared;
}
