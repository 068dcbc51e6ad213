/**
 * What a parser's own words look like once minified: "undefined is not an object
 * (evaluating 'i.catalog.Pages')", "Expected instance of t, but got instance of t". A user
 * can act on none of it, so such errors become one sentence about the file.
 */
const INTERNAL = /\b(undefined|null) is not|is not a function|is not an object|Cannot read|Expected instance of|Maximum call stack|out of memory/i;

const BROKEN_PDF = "The PDF's internal structure is broken (an object it needs is missing or of the wrong kind). " +
  "Open it in a PDF reader or editor, save or print it to a new PDF, and upload that";

/** pdf-lib reading past the last byte: "...following byte: undefined", "...but it was actually undefined". */
const PAST_THE_END = /\bundefined\b/;

const TRUNCATED_PDF = "The PDF is truncated or damaged: its data ends in the middle of an object. " +
  "Upload the complete file, or save it again with a PDF editor and upload that";

/** An error from a PDF parser, as a sentence a user can act on (never minified internals). */
export function describePdfError(e: unknown): string {
  const first = String((e as Error)?.message ?? e).split("\n")[0]!.trim();
  if (!first || e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || INTERNAL.test(first)) return BROKEN_PDF;
  if (PAST_THE_END.test(first)) return TRUNCATED_PDF;
  return `The PDF cannot be read: ${first.replace(/\s*\(line:\d+ col:\d+ offset=\d+\)/, "")}. Save it again with a PDF editor and upload the new file`;
}
