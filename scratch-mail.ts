import { composeMail } from "./src/modules/notifications/compose-mail";
const html = "<html><body>" + "<p>Hello Ana, please sign the Employment contract sent by Acme.</p>".repeat(20) + "</body></html>";
const text = "Hello Ana, please sign the Employment contract sent by Acme.\n".repeat(20);
const att = new Uint8Array(40000).map((_, i) => (i * 7919) & 255);
const inv = { from: { name: "Certyneo", address: "noreply@example.com" }, to: "ana@example.com", subject: "Please sign: Employment contract", text, html, date: Date.now() };
const done = { ...inv, attachments: [{ filename: "signed.pdf", content: att, contentType: "application/pdf" }] };
for (const [k, m] of [["invite", inv], ["with pdf", done]] as const) {
  for (let r = 0; r < 3; r++) { const t = performance.now(); for (let i = 0; i < 3000; i++) await composeMail(m as any); if (r == 2) console.log(k, ((performance.now() - t) / 500).toFixed(3), "ms"); }
}
const c = await composeMail(done as any); console.log(c.bytes.length);
