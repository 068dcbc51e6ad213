import { decodePDFRawStream, PDFContext, PDFRawStream } from "pdf-lib";
import { AppError } from "../errors";

/** How much a PDF task may inflate: per stream and in total (object, xref, content and image streams alike). */
export interface InflateLimits {
  perStreamBytes: number;
  totalBytes: number;
}

let budget: { limits: InflateLimits; used: number; exceeded: string | null } | null = null;

const tooMuch = (why: string) =>
  new AppError("pdf_too_complex", `The PDF is refused: ${why}. Compressed data that expands this much is a "zip bomb" or a file no signer can open; ` +
    "save it again with a PDF editor (or print it to a new PDF) and upload that");

const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

/**
 * pdf-lib decodes every filtered stream through one base class whose buffer grows with
 * ensureBuffer(size). Counting there bounds every decode, whichever filter or caller: the
 * class is reached through a decoded probe stream because pdf-lib does not export it.
 */
function install() {
  const context = PDFContext.create();
  const probe = decodePDFRawStream(PDFRawStream.of(context.obj({ Filter: "RunLengthDecode" }), new Uint8Array([128])));
  const base = Object.getPrototypeOf(Object.getPrototypeOf(probe)) as { ensureBuffer(this: { _charged?: number }, requested: number): Uint8Array };
  const ensureBuffer = base.ensureBuffer;
  base.ensureBuffer = function (requested) {
    if (budget) {
      const { limits } = budget;
      if (budget.exceeded) throw tooMuch(budget.exceeded);
      if (requested > limits.perStreamBytes) throw tooMuch((budget.exceeded = `one of its streams expands beyond ${mib(limits.perStreamBytes)}`));
      budget.used += requested - (this._charged ?? 0);
      this._charged = requested;
      if (budget.used > limits.totalBytes) throw tooMuch((budget.exceeded = `its streams expand beyond ${mib(limits.totalBytes)} in all`));
    }
    return ensureBuffer.call(this, requested);
  };
}

let installed = false;

/**
 * Runs `task` with its decoding bounded. pdf-lib swallows some errors while it parses (it
 * skips objects it cannot read), so a bound once hit fails the task when it returns too.
 */
export async function withInflateBudget<T>(limits: InflateLimits, task: () => Promise<T>): Promise<T> {
  if (!installed) {
    install();
    installed = true;
  }
  const mine = (budget = { limits, used: 0, exceeded: null });
  try {
    const result = await task();
    if (mine.exceeded) throw tooMuch(mine.exceeded);
    return result;
  } catch (e) {
    if (mine.exceeded) throw tooMuch(mine.exceeded);
    throw e;
  } finally {
    budget = null;
  }
}
