import { readFileSync } from "node:fs";
import type { Config } from "../../config";
import { SignerError } from "../../errors";
import type { Signer } from "../../pdf/signer";
import { openPkcs11Signer } from "../../pkcs11/signer";

function readSetting(path: string, what: string, variable: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : "not readable";
    throw new SignerError(`${what} ${path}: ${reason} (${variable})`);
  }
}

/** The PKCS#11 sealing key of the configuration, its PIN and certificates read from their files when so configured. */
export function openPkcs11SealingKey(seal: Config["seal"], now: Date): Promise<Signer> {
  const { module, tokenLabel, keyLabel, pinFile } = seal.pkcs11;
  let pin = seal.pkcs11.pin;
  if (pinFile) {
    pin = readSetting(pinFile, "PIN file", "CERTYNEO_SEAL_PKCS11_PIN_FILE").split(/\r?\n/)[0]!;
    if (!pin) throw new SignerError(`PIN file ${pinFile}: the first line is empty (CERTYNEO_SEAL_PKCS11_PIN_FILE)`);
  }
  const certificatesPem = seal.certificatePath ? readSetting(seal.certificatePath, "certificate file", "CERTYNEO_SEAL_CERTIFICATE_PATH") : undefined;
  return openPkcs11Signer({ module, tokenLabel, keyLabel, pin, certificatesPem, rsaPss: seal.rsaPss, now });
}
