import { ERRORS } from "../errors";
import { escapeHtml } from "../escape-html";

export const ERRORS_PAGE_PATH = "/docs/errors";

/** Where a code is explained: its section of the errors page, served with the API docs. */
export const errorDocsUrl = (baseUrl: string, code: string) => `${baseUrl}${ERRORS_PAGE_PATH}#${code}`;

/** The URN in every problem's `type`: the code's stable identifier (RFC 9457's primary one). */
export const errorType = (code: string) => `urn:certyneo:error:${code}`;

/** The table's meanings mark names with backticks, as in the OpenAPI descriptions. */
const inlineCode = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, "<code>$1</code>");

const errorRow = (code: string, status: number, meaning: string) =>
  `<tr id="${code}"><td><a href="#${code}"><code>${code}</code></a></td><td>${status}</td><td>${inlineCode(meaning)}</td></tr>`;

/**
 * Every error code with its status and meaning, from the table in src/errors.ts, so the page
 * cannot drift from what the server answers. Self-contained: no script, no outside asset. Made
 * on its first request: its regular expressions over every meaning cost ~1 ms of a start.
 */
export const errorsPage = (): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certyneo API errors</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}
tr:target{background:#fff3c4}code{font-size:.95em}
</style></head>
<body><main>
<h1>Certyneo API errors</h1>
<p>Every failed request is answered with an RFC 9457 problem (<code>application/problem+json</code>):
<code>type</code> (<code>${errorType("{code}")}</code>), <code>title</code>, <code>status</code>, <code>detail</code>,
a stable <code>code</code> listed below, <code>message</code> (the same as <code>detail</code>), the <code>requestId</code>
that finds the request in the server log and, for <code>validation_failed</code>, <code>errors</code>: each bad field
as a JSON pointer with a message. The <code>Link</code> header (<code>rel="help"</code>) of each problem points to its
code's row here. Match on <code>code</code> (or <code>type</code>), never on the text.</p>
<p><a href="/docs">API reference</a></p>
<table><thead><tr><th scope="col">code</th><th scope="col">status</th><th scope="col">meaning</th></tr></thead>
<tbody>
${Object.entries(ERRORS).map(([code, { status, meaning }]) => errorRow(code, status, meaning)).join("\n")}
</tbody></table>
</main></body></html>`;
