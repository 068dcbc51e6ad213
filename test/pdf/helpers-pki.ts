// A test PKI made with openssl: root -> intermediate -> sealing certificate (AIA OCSP
// and CRL distribution point on loopback), a delegated OCSP responder (ocsp-nocheck),
// and a TSA certificate under the same root (CRL only). One loopback server answers
// OCSP (`openssl ocsp`) and serves CRLs (`openssl ca -gencrl`); the TSA is startTsa's.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { must, run, startTsa } from "./helpers-seal.ts";

export interface TestPki {
  dir: string;
  /** PEM of the root certificate (the trust anchor). */
  rootPem: string;
  rootFile: string;
  /** PKCS#12 of the sealing key with its chain (sealing certificate, intermediate, root). */
  sealP12: Uint8Array;
  sealP12File: string;
  sealPassword: string;
  sealCertFile: string;
  tsaUrl: string;
  /** Revokes the sealing certificate: OCSP and the intermediate's CRL say so from now on. */
  revokeSeal(): void;
  /** An NSS database trusting the root, for pdfsig -nssdir. */
  nssDir(): string;
  /** Requests the OCSP responder and CRL server received, by path. */
  hits: Map<string, number>;
  stop(): void;
}

function caConfig(dir: string, name: string): string {
  const home = join(dir, name);
  mkdirSync(join(home, "new"), { recursive: true });
  writeFileSync(join(home, "index.txt"), "");
  writeFileSync(join(home, "serial"), `${name === "root" ? "10" : "20"}\n`);
  writeFileSync(join(home, "crlnumber"), "01\n");
  const file = join(dir, `${name}.cnf`);
  writeFileSync(
    file,
    `[ ca ]
default_ca = this
[ this ]
dir = ${home}
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = ${join(dir, `${name}.crt`)}
private_key = ${join(dir, `${name}.key`)}
default_md = sha256
default_days = 60
default_crl_days = 2
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
[ dn ]
`,
  );
  return file;
}

export async function startTestPki(dir: string): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const hits = new Map<string, number>();
  const crl = (name: string) => {
    must(["openssl", "ca", "-gencrl", "-config", join(dir, `${name}.cnf`), "-out", join(dir, `${name}.crl.pem`)]);
    must(["openssl", "crl", "-in", join(dir, `${name}.crl.pem`), "-outform", "DER", "-out", join(dir, `${name}.crl`)]);
    return readFileSync(join(dir, `${name}.crl`));
  };
  let n = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (req.method === "GET" && path === "/crl/root.crl") return new Response(crl("root"));
      if (req.method === "GET" && path === "/crl/int.crl") return new Response(crl("int"));
      if (req.method === "POST" && path === "/ocsp/int") {
        const q = join(dir, `ocsp${++n}.req`);
        const r = join(dir, `ocsp${n}.resp`);
        writeFileSync(q, new Uint8Array(await req.arrayBuffer()));
        must([
          "openssl", "ocsp", "-index", join(dir, "int", "index.txt"), "-CA", join(dir, "int.crt"),
          "-rsigner", join(dir, "ocsp.crt"), "-rkey", join(dir, "ocsp.key"), "-reqin", q, "-respout", r, "-ndays", "1",
        ]);
        return new Response(readFileSync(r), { headers: { "content-type": "application/ocsp-response" } });
      }
      return new Response("not found", { status: 404 });
    },
  });
  const base = `http://127.0.0.1:${server.port}`;

  const key = (name: string, kind: "rsa" | "ec") =>
    must(["openssl", "genpkey", ...(kind === "rsa" ? ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]), "-out", join(dir, `${name}.key`)]);
  const extFile = join(dir, "ext.cnf");
  writeFileSync(
    extFile,
    `[ req ]
distinguished_name = dn
[ dn ]
[ root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ int ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:${base}/crl/root.crl
[ seal ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:${base}/ocsp/int
crlDistributionPoints = URI:${base}/crl/int.crl
[ ocsp ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:${base}/crl/root.crl
`,
  );
  const rootCnf = caConfig(dir, "root");
  const intCnf = caConfig(dir, "int");
  key("root", "rsa");
  must(["openssl", "req", "-x509", "-new", "-key", join(dir, "root.key"), "-subj", "/CN=Certyneo Test Root CA/O=Certyneo Tests", "-days", "365", "-config", extFile, "-extensions", "root", "-out", join(dir, "root.crt")]);
  const issue = (name: string, subject: string, caCnf: string, kind: "rsa" | "ec") => {
    key(name, kind);
    must(["openssl", "req", "-new", "-key", join(dir, `${name}.key`), "-subj", subject, "-config", caCnf, "-out", join(dir, `${name}.csr`)]);
    must(["openssl", "ca", "-batch", "-config", caCnf, "-extfile", extFile, "-extensions", name, "-notext", "-in", join(dir, `${name}.csr`), "-out", join(dir, `${name}.crt`)]);
  };
  issue("int", "/CN=Certyneo Test Intermediate CA/O=Certyneo Tests", rootCnf, "rsa");
  issue("seal", "/CN=Certyneo Test Seal/O=Certyneo Tests", intCnf, "ec");
  issue("ocsp", "/CN=Certyneo Test OCSP Responder/O=Certyneo Tests", intCnf, "ec");
  issue("tsa", "/CN=Certyneo Test TSA/O=Certyneo Tests", rootCnf, "rsa");

  const tsaDir = join(dir, "tsa");
  mkdirSync(tsaDir, { recursive: true });
  writeFileSync(join(tsaDir, "tsa.crt"), readFileSync(join(dir, "tsa.crt")));
  writeFileSync(join(tsaDir, "tsa.key"), readFileSync(join(dir, "tsa.key")));
  writeFileSync(join(tsaDir, "chain.pem"), readFileSync(join(dir, "tsa.crt")));
  const tsa = startTsa(tsaDir, { signer: "given", certs: join(tsaDir, "chain.pem") });

  const sealPassword = "pki pw";
  const chainFile = join(dir, "seal-chain.pem");
  writeFileSync(chainFile, Buffer.concat([readFileSync(join(dir, "int.crt")), readFileSync(join(dir, "root.crt"))]));
  const sealP12File = join(dir, "seal.p12");
  must(["openssl", "pkcs12", "-export", "-inkey", join(dir, "seal.key"), "-in", join(dir, "seal.crt"), "-certfile", chainFile, "-out", sealP12File, "-passout", `pass:${sealPassword}`]);

  let nss: string | undefined;
  return {
    dir,
    rootPem: readFileSync(join(dir, "root.crt"), "latin1"),
    rootFile: join(dir, "root.crt"),
    sealP12: new Uint8Array(readFileSync(sealP12File)),
    sealP12File,
    sealPassword,
    sealCertFile: join(dir, "seal.crt"),
    tsaUrl: tsa.url,
    hits,
    revokeSeal: () => must(["openssl", "ca", "-config", intCnf, "-revoke", join(dir, "seal.crt"), "-crl_reason", "keyCompromise"]),
    nssDir() {
      if (nss) return nss;
      nss = join(dir, "nss");
      mkdirSync(nss, { recursive: true });
      must(["certutil", "-N", "-d", `sql:${nss}`, "--empty-password"]);
      must(["certutil", "-A", "-d", `sql:${nss}`, "-n", "certyneo-test-root", "-t", "CT,C,C", "-i", join(dir, "root.crt")]);
      return nss;
    },
    stop() {
      tsa.stop();
      server.stop(true);
    },
  };
}

export { run };
