import { readFileSync } from "node:fs";
import { join } from "node:path";
import fontkit from "@pdf-lib/fontkit";
import {
  beginText, concatTransformationMatrix, decodePDFRawStream, degrees, drawObject, endText, moveText, PDFDict, PDFDocument, PDFName, type PDFOperator, type PDFPage,
  type PDFRawStream, type PDFRef, PDFString, popGraphicsState, pushGraphicsState, rgb, setFontAndSize, showText, StandardFonts, type PDFFont,
} from "pdf-lib";

const DEJAVU = join(import.meta.dir, "../../node_modules/dejavu-fonts-ttf/ttf");

/**
 * A contract as a word processor would write it: body text in several fonts and sizes with text
 * tags in it, one tag split across three runs (and two fonts), a rotated page, and a page in an
 * embedded TrueType font (a Type0/CID font with Identity-H, as LibreOffice and Word write them).
 */
export async function taggedContract(): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const helvetica = await pdf.embedFont(StandardFonts.Helvetica);
  const times = await pdf.embedFont(StandardFonts.TimesRoman);
  const courier = await pdf.embedFont(StandardFonts.CourierBold);
  const dejavu = await pdf.embedFont(readFileSync(join(DEJAVU, "DejaVuSerif.ttf")), { subset: true });

  const p1 = pdf.addPage([595.28, 841.89]);
  p1.drawText("Employment contract", { x: 72, y: 780, size: 20, font: helvetica });
  p1.drawText("The employee signs here: {{Employee signature;type=signature;role=Employee}} thank you.", { x: 72, y: 700, size: 11, font: times });
  p1.drawText("Date: {{Signed on;type=date;role=Employee;required=false}}", { x: 72, y: 660, size: 14, font: courier });
  // One tag in three runs, in two fonts, each run placed by its own text operator.
  const split = "{{Employer signature;type=signature;role=Employer}}";
  const runs = [split.slice(0, 9), split.slice(9, 30), split.slice(30)];
  let x = 72;
  runs.forEach((run, i) => {
    const font: PDFFont = i === 1 ? times : helvetica;
    p1.drawText(run, { x, y: 600, size: 10, font });
    x += font.widthOfTextAtSize(run, 10);
  });
  p1.drawText("Untagged text stays: {not a tag} [nor this].", { x: 72, y: 560, size: 10, font: helvetica, color: rgb(0.2, 0.2, 0.2) });

  // A page shown rotated (/Rotate 90) whose text is drawn turned the other way, so it reads
  // upright on screen (as a landscape page from a word processor), in an embedded TrueType font.
  const p2 = pdf.addPage([595.28, 841.89]);
  p2.setRotation(degrees(90));
  const upright = { rotate: degrees(90) };
  p2.drawText("Annex — {{Employee initials;type=initials;role=Employee}}", { x: 100, y: 100, size: 12, font: dejavu, ...upright });
  p2.drawText("[text|req|signer2|Job title|job_title]", { x: 150, y: 100, size: 12, font: dejavu, ...upright });
  p2.drawText("{{*Start_es_:signer1:date}}", { x: 200, y: 100, size: 9, font: helvetica, ...upright });

  const p3 = pdf.addPage([595.28, 841.89]);
  p3.drawText("{{Agree;type=checkbox;role=Employee}} I agree.", { x: 300, y: 300, size: 12, font: helvetica, rotate: degrees(30) });
  p3.drawText("{{Notes}}", { x: 72, y: 200, size: 8, font: times });
  return new Uint8Array(await pdf.save({ useObjectStreams: false }));
}

/** The words pdftotext -bbox finds, with their boxes (points, top-left origin), page by page. */
export function pdftotextWords(path: string): { page: number; word: string; x: number; y: number; width: number; height: number }[] {
  const out = Bun.spawnSync(["pdftotext", "-bbox", path, "-"]).stdout.toString();
  const words: ReturnType<typeof pdftotextWords> = [];
  let page = 0;
  for (const line of out.split("\n")) {
    if (line.includes("<page ")) page++;
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)<\/word>/.exec(line);
    if (m) words.push({ page, word: m[5]!.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"), x: +m[1]!, y: +m[2]!, width: +m[3]! - +m[1]!, height: +m[4]! - +m[2]! });
  }
  return words;
}


/**
 * An application form as a form designer writes it: text fields, a checkbox, a radio group, a
 * dropdown, and an empty signature field (a /Sig field with its widget), on a rotated page too.
 */
export async function formPdf(): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595.28, 841.89]);
  const form = pdf.getForm();
  page.drawText("Employee name", { x: 72, y: 760, size: 10, font });
  form.createTextField("employee_name").addToPage(page, { x: 180, y: 750, width: 250, height: 22 });
  page.drawText("Start date", { x: 72, y: 720, size: 10, font });
  form.createTextField("start_date").addToPage(page, { x: 180, y: 710, width: 120, height: 22 });
  form.createCheckBox("agree").addToPage(page, { x: 180, y: 670, width: 16, height: 16 });
  const radio = form.createRadioGroup("contract_type");
  radio.addOptionToPage("CDI", page, { x: 180, y: 630, width: 14, height: 14 });
  radio.addOptionToPage("CDD", page, { x: 240, y: 630, width: 14, height: 14 });
  const dropdown = form.createDropdown("department");
  dropdown.addOptions(["Sales", "Engineering"]);
  dropdown.addToPage(page, { x: 180, y: 590, width: 150, height: 22 });
  // An empty signature field: pdf-lib reads them but does not make them.
  const widget = pdf.context.obj({ Type: "Annot", Subtype: "Widget", FT: "Sig", T: PDFString.of("employee_signature"), Rect: [180, 480, 380, 540], F: 4, P: page.ref });
  const ref = pdf.context.register(widget);
  page.node.addAnnot(ref);
  form.acroForm.addField(ref);
  return new Uint8Array(await pdf.save({ useObjectStreams: false }));
}

/**
 * Tags inside form XObjects and annotation appearances, as report generators and form designers
 * draw them: a form scaled by its /Matrix and moved by the page (on a page shown rotated), a
 * form inside it, a form drawn twice, a tag whose end is in a form that another page draws
 * alone, a form that draws itself, a chain of forms deeper than the reader goes, and a
 * free-text annotation whose appearance carries a tag.
 */
export async function formTaggedContract(): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = await PDFDocument.create();
  const context = pdf.context;
  const helvetica = await pdf.embedFont(StandardFonts.Helvetica);
  const times = await pdf.embedFont(StandardFonts.TimesRoman);
  const fonts = context.obj({ F1: helvetica.ref, F2: times.ref });
  const text = (font: "F1" | "F2", size: number, x: number, y: number, s: string) =>
    [beginText(), setFontAndSize(font, size), moveText(x, y), showText((font === "F1" ? helvetica : times).encodeText(s)), endText()];
  const draw = (name: string, m: [number, number, number, number, number, number]) => [pushGraphicsState(), concatTransformationMatrix(...m), drawObject(name), popGraphicsState()];
  const form = (ops: PDFOperator[], bbox: number[], extra: { Matrix?: number[]; XObject?: Record<string, PDFRef> } = {}, ref = context.nextRef()) => {
    context.assign(ref, context.formXObject(ops, { BBox: bbox, ...(extra.Matrix ? { Matrix: extra.Matrix } : {}), Resources: { Font: fonts, ...(extra.XObject ? { XObject: extra.XObject } : {}) } }));
    return ref;
  };
  const use = (page: PDFPage, ref: PDFRef, m: [number, number, number, number, number, number]) => page.pushOperators(...draw(page.node.newXObject("Fm", ref).asString().slice(1), m));

  // Page 1, shown rotated and drawn turned so it reads upright: a form at 80 % (its /Matrix),
  // turned and moved by the page's cm, with a form inside it.
  const nested = form(text("F2", 10, 0, 0, "{{Nested note;role=Employee;required=false}}"), [0, -5, 400, 15]);
  const outer = form([...text("F1", 12, 0, 0, "Form: {{Form signature;type=signature;role=Employee}} keep me"), ...draw("N", [1, 0, 0, 1, 0, -40])],
    [0, -60, 500, 20], { Matrix: [0.8, 0, 0, 0.8, 0, 0], XObject: { N: nested } });
  const p1 = pdf.addPage([595.28, 841.89]);
  p1.setRotation(degrees(90));
  p1.drawText("Page text before the form", { x: 100, y: 72, size: 11, font: helvetica, rotate: degrees(90) });
  use(p1, outer, [0, 1, -1, 0, 160, 72]);

  // Page 2: one form drawn twice (two tags), and a tag whose "}}" is drawn by a form.
  const shared = form(text("F1", 10, 0, 0, "{{Shared initials;type=initials;role=Employee}}"), [0, -3, 260, 12]);
  const braces = form(text("F1", 12, 0, 0, "}} braces stay"), [0, -4, 120, 14]);
  const p2 = pdf.addPage([595.28, 841.89]);
  use(p2, shared, [1, 0, 0, 1, 72, 700]);
  use(p2, shared, [1.5, 0, 0, 1.5, 200, 400]);
  p2.drawText("{{Split;role=Employee", { x: 72, y: 300, size: 12, font: helvetica });
  use(p2, braces, [1, 0, 0, 1, 72 + helvetica.widthOfTextAtSize("{{Split;role=Employee", 12), 300]);

  // Page 3: the same "}}" alone (no tag there), a form that draws itself, forms nested too deep, a free-text annotation.
  const p3 = pdf.addPage([595.28, 841.89]);
  p3.drawText("Alone:", { x: 72, y: 700, size: 12, font: helvetica });
  use(p3, braces, [1, 0, 0, 1, 120, 700]);
  const loop = context.nextRef();
  form([...text("F1", 10, 0, 0, "{{Loop;role=Employee;required=false}}"), ...draw("L", [1, 0, 0, 1, 0, -20])], [0, -200, 300, 12], { XObject: { L: loop } }, loop);
  use(p3, loop, [1, 0, 0, 1, 72, 600]);
  let deep = form(text("F1", 10, 0, 0, "{{Too deep}}"), [0, -3, 100, 12]);
  for (let i = 0; i < 9; i++) deep = form(draw("D", [1, 0, 0, 1, 0, 0]), [0, -3, 100, 12], { XObject: { D: deep } });
  use(p3, deep, [1, 0, 0, 1, 72, 500]);
  const appearance = form(text("F2", 10, 2, 4, "{{Annotation note;role=Employee;required=false}}"), [0, 0, 220, 16]);
  const annotation = context.register(context.obj({
    Type: "Annot", Subtype: "FreeText", Rect: [300, 200, 520, 232], F: 4, Contents: PDFString.of("{{Annotation note;role=Employee;required=false}}"),
    DA: PDFString.of("/Helv 10 Tf 0 g"), AP: { N: appearance },
  }));
  p3.node.addAnnot(annotation);
  return new Uint8Array(await pdf.save({ useObjectStreams: false }));
}

/**
 * A one-page PDF with the text tag `{{Na~me;type=text;role=Signer}}` in an embedded font whose
 * ToUnicode map says the "~" glyph reads as `unicode` (hex UTF-16, e.g. "0000" for NUL): what a
 * careless or hostile PDF writer may put in a font.
 */
export async function tagReadAs(unicode: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(readFileSync(join(DEJAVU, "DejaVuSerif.ttf")), { subset: true });
  pdf.addPage([595.28, 841.89]).drawText("{{Na~me;type=text;role=Signer}}", { x: 72, y: 700, size: 12, font });
  const doc = await PDFDocument.load(await pdf.save());
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of("Subtype")) !== PDFName.of("Type0")) continue;
    const ref = obj.get(PDFName.of("ToUnicode")) as PDFRef;
    const cmap = Buffer.from(decodePDFRawStream(doc.context.lookup(ref) as PDFRawStream).decode()).toString("latin1");
    doc.context.assign(ref, doc.context.stream(cmap.replace(/(<[0-9A-Fa-f]+> )<007[Ee]>/, `$1<${unicode}>`)));
  }
  return doc.save();
}
