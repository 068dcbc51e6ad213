/**
 * Bulk send over the real server: a template sent to 200 people as one batch, worked through by
 * the outbox row by row; bad rows fail alone; the batch is idempotent; a CSV works the same.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sendBatchRows, ROWS_PER_RUN } from "../src/modules/batches/send-batch";
import { jobsOf, post, uploadDoc } from "./helpers/envelopes";
import { queryPlan, statementsOf } from "./helpers/query-plans";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
let templateId: string;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
  const doc = await uploadDoc(s);
  const tpl = await post(s, "/api/v1/templates", {
    name: "Offer", subject: "Your offer", documentIds: [doc.id],
    roles: [{ roleName: "Employee" }, { roleName: "HR", role: "CC" }],
    fields: [{ roleName: "Employee", documentId: doc.id, type: "text", page: 1, x: 72, y: 300, width: 200, height: 20, label: "Salary" }],
  });
  expect(tpl.status).toBe(201);
  templateId = tpl.body.id;
});
afterAll(() => s.stop());

const row = (i: number) => ({
  recipients: [{ roleName: "Employee", name: `Person ${i}`, email: `person${i}@example.com` }, { roleName: "HR", name: "HR", email: "hr@example.com" }],
  prefill: { Salary: `${40_000 + i} EUR` },
});

const pendingBatchJob = () => {
  const rows = s.deps.db.$client.query("SELECT id, payload FROM jobs WHERE kind = 'send_batch' AND status = 'pending' ORDER BY rowid").all() as { id: string; payload: string }[];
  return rows[0]!;
};

describe("bulk send", () => {
  test("200 rows: progress as the outbox goes, 197 envelopes sent, 3 bad rows reported alone; idempotent", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => row(i));
    rows[7] = { ...row(7), recipients: [{ roleName: "Employee", name: "Bad", email: "not-an-email" }, row(7).recipients[1]!] };
    rows[42] = { ...row(42), recipients: [row(42).recipients[0]!] }; // HR missing
    (rows as unknown[])[150] = { recipients: "nobody" };
    const headers = { "idempotency-key": "bulk-200" };
    const first = await post(s, `/api/v1/templates/${templateId}/bulk-send`, { rows }, { headers });
    expect(first.status).toBe(202);
    const batch = first.body;
    expect(batch).toMatchObject({ status: "queued", total: 200, processed: 0, sent: 0, failed: 0, templateId });
    expect(first.res.headers.get("location")).toBe(`/api/v1/batches/${batch.id}`);
    // The same request again: the same batch, not a second one.
    const again = await post(s, `/api/v1/templates/${templateId}/bulk-send`, { rows }, { headers });
    expect(again.body.id).toBe(batch.id);
    expect(jobsOf(s, "send_batch")).toHaveLength(1);

    // One run of the job: the first rows are done and the batch says so.
    const job = pendingBatchJob();
    await sendBatchRows(s.deps, batch.id, job.id);
    const mid = await (await s.api(`/api/v1/batches/${batch.id}`)).json();
    expect(mid).toMatchObject({ status: "running", processed: ROWS_PER_RUN, sent: ROWS_PER_RUN - 1, failed: 1 });

    await s.running.app.jobs.drain();
    const done = await (await s.api(`/api/v1/batches/${batch.id}`)).json();
    expect(done).toMatchObject({ status: "completed", total: 200, processed: 200, sent: 197, failed: 3 });
    expect(done.completedAt).toBeString();
    expect(done.errors.map((e: any) => e.row)).toEqual([7, 42, 150]);
    expect(done.errors[0].errors[0]).toEqual({ pointer: "/rows/7/recipients/0/email", message: '"not-an-email" is not a valid e-mail address' });
    expect(done.errors[1].errors[0].message).toContain('"HR" needs a recipient');
    expect(done.errors[2].errors[0].pointer).toBe("/rows/150/recipients");
    expect(new Set(done.envelopes.map((e: any) => e.envelopeId)).size).toBe(197);

    // Each envelope is SENT, made from the template, with its own person and prefill.
    const sample = done.envelopes.find((e: any) => e.row === 199);
    const env = await (await s.api(`/api/v1/envelopes/${sample.envelopeId}`)).json();
    expect(env).toMatchObject({ status: "SENT", templateId, subject: "Your offer" });
    expect(env.recipients[0]).toMatchObject({ email: "person199@example.com", roleName: "Employee" });
    expect(env.fields[0]).toMatchObject({ label: "Salary", value: "40199 EUR", readOnly: true });
    const count = s.deps.db.$client.query("SELECT count(*) AS n FROM envelopes WHERE batch_id = ?").get(batch.id) as { n: number };
    expect(count.n).toBe(197);
    // Another environment does not see the batch.
    expect((await s.api(`/api/v1/batches/${batch.id}`, { key: await s.key("live") })).status).toBe(404);
  }, 120_000);

  test("a template cannot be deleted while a bulk send from it has rows to send (409), and can be once it is done or its job failed for good", async () => {
    const doc = await uploadDoc(s);
    const tpl = await post(s, "/api/v1/templates", { name: "Short-lived", subject: "Soon gone", documentIds: [doc.id], roles: [{ roleName: "Employee" }, { roleName: "HR", role: "CC" }] });
    const rows = [1, 2].map((i) => ({ recipients: row(i).recipients }));
    const batch = await post(s, `/api/v1/templates/${tpl.body.id}/bulk-send`, { rows });
    expect(batch.status).toBe(202);
    const refused = await s.api(`/api/v1/templates/${tpl.body.id}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).code).toBe("template_in_use");
    await s.running.app.jobs.drain();
    expect((await (await s.api(`/api/v1/batches/${batch.body.id}`)).json()).sent).toBe(2);
    expect((await s.api(`/api/v1/templates/${tpl.body.id}`, { method: "DELETE" })).status).toBe(200);

    // A batch whose job has failed for good sends nothing more: it holds the template no longer.
    const other = await post(s, "/api/v1/templates", { name: "Stuck", subject: "Stuck", documentIds: [doc.id], roles: [{ roleName: "Employee" }, { roleName: "HR", role: "CC" }] });
    const stuck = await post(s, `/api/v1/templates/${other.body.id}/bulk-send`, { rows });
    expect((await s.api(`/api/v1/templates/${other.body.id}`, { method: "DELETE" })).status).toBe(409);
    s.deps.db.$client.run("UPDATE jobs SET status = 'failed' WHERE kind = 'send_batch' AND json_extract(payload, '$.batchId') = ?", [stuck.body.id]);
    expect((await s.api(`/api/v1/templates/${other.body.id}`, { method: "DELETE" })).status).toBe(200);
  });

  test("deleting a template reads the pending jobs only for its unfinished batches, not every queued job", async () => {
    const doc = await uploadDoc(s);
    const tpl = await post(s, "/api/v1/templates", { name: "Checked", subject: "Checked", documentIds: [doc.id], roles: [{ roleName: "Employee" }] });
    const statements = await statementsOf(s.deps.db.$client, () => s.api(`/api/v1/templates/${tpl.body.id}`, { method: "DELETE" }));
    const check = statements.filter((q) => /from "batches"/.test(q) && /"jobs"/.test(q));
    expect(check).toHaveLength(1);
    // The batches first; a batch's job only looked for when there is one (a bulk send queues a job per invitation).
    expect(queryPlan(s.deps.db.$client, check[0]!)).toMatch(/^(SCAN|SEARCH) batches[^;]*; SEARCH jobs EXISTS /);
  });

  test("a CSV upload: one column per Role.email and Role.name, other columns prefill", async () => {
    const csv = [
      "Employee.email,Employee.name,HR.email,HR.name,Salary",
      "ana@example.com,\"Silva, Ana\",hr@example.com,HR,\"50,000 EUR\"",
      "bo@example.com,Bo,hr@example.com,HR,45000",
      "",
    ].join("\r\n");
    const form = new FormData();
    form.set("file", new File([csv], "people.csv", { type: "text/csv" }));
    const res = await s.api(`/api/v1/templates/${templateId}/bulk-send`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    const batch = await res.json();
    expect(batch.total).toBe(2);
    await s.running.app.jobs.drain();
    const done = await (await s.api(`/api/v1/batches/${batch.id}`)).json();
    expect(done).toMatchObject({ status: "completed", sent: 2, failed: 0 });
    const env = await (await s.api(`/api/v1/envelopes/${done.envelopes[0].envelopeId}`)).json();
    expect(env.recipients[0]).toMatchObject({ name: "Silva, Ana", email: "ana@example.com" });
    expect(env.fields[0].value).toBe("50,000 EUR");
  });

  test("a row that is not an object (null, text, a number, a list) fails alone; the rows after it are sent", async () => {
    const res = await post(s, `/api/v1/templates/${templateId}/bulk-send`, { rows: [null, "x", 5, [], row(1)] });
    expect(res.status).toBe(202);
    await s.running.app.jobs.drain();
    const done = await (await s.api(`/api/v1/batches/${res.body.id}`)).json();
    expect(done).toMatchObject({ status: "completed", sent: 1, failed: 4, envelopes: [{ row: 4 }] });
    expect(done.errors.map((e: { row: number; errors: { pointer: string }[] }) => [e.row, e.errors[0]!.pointer]))
      .toEqual([[0, "/rows/0"], [1, "/rows/1"], [2, "/rows/2"], [3, "/rows/3"]]);
  });

  test("a CSV that cannot be read as its author meant is refused whole, naming the line", async () => {
    const H = "Employee.email,Employee.name,HR.email,HR.name,Salary";
    const send = async (file: string | Uint8Array<ArrayBuffer>) => {
      const form = new FormData();
      form.set("file", new File([file], "people.csv", { type: "text/csv" }));
      const res = await s.api(`/api/v1/templates/${templateId}/bulk-send`, { method: "POST", body: form });
      return { status: res.status, messages: ((await res.json()).errors ?? []).map((e: { message: string }) => e.message) as string[] };
    };
    // A quote never closed swallowed every later line into one cell: 3 envelopes became 1.
    const unclosed = await send(`${H}\n"ana@example.com,Ana,hr@example.com,HR,1\nbo@example.com,Bo,hr@example.com,HR,2\ncy@example.com,Cy,hr@example.com,HR,3\n`);
    expect(unclosed).toEqual({ status: 422, messages: ["line 2: a quoted value is never closed (a \" is missing)"] });
    // An unquoted comma shifts the values into the next columns.
    const shifted = await send(`${H}\r\nana@example.com,Ana,hr@example.com,HR,1\r\n"x\ny",Silva, Ana,hr@example.com,HR,2\r\n`);
    expect(shifted).toEqual({ status: 422, messages: ["line 3: 6 values for 5 columns (quote a value that holds a comma)"] });
    expect((await send(`${H}\nana@example.com,Ana,hr@example.com,HR,1,,\n`)).status).toBe(202);
    // A file shifted throughout: twenty lines named, the rest counted, not 50,000 problems in one answer.
    const everyLine = await send(H + "\n" + "a@example.com,A,h@example.com,H,1,2\n".repeat(50_000));
    expect(everyLine.status).toBe(422);
    expect(everyLine.messages).toHaveLength(21);
    expect(everyLine.messages[19]).toBe("line 21: 6 values for 5 columns (quote a value that holds a comma)");
    expect(everyLine.messages[20]).toBe("and 49980 more lines with more values than columns");
    // Latin-1 "François" would have been sent as "Fran\ufffdois".
    const latin1 = new Uint8Array([...Buffer.from(`${H}\nana@example.com,Fran`), 0xe7, ...Buffer.from("ois,hr@example.com,HR,1\n")]);
    expect((await send(latin1)).messages).toEqual(["the CSV is not UTF-8: save it as \"CSV UTF-8\""]);
    expect((await send("Employee.name;Employee.email\nAna;ana@example.com\n")).messages)
      .toEqual(["the columns are separated by semicolons: separate them with commas"]);
    expect((await send(`${H},salary,Employee.EMAIL\nana@example.com,Ana,hr@example.com,HR,1,2,x@example.com\n`)).messages)
      .toEqual(['the column "Employee.EMAIL" is named twice in the header']);
  });

  test("a CSV's role columns are read ignoring case, like role names", async () => {
    const form = new FormData();
    form.set("file", new File(["employee.Email,EMPLOYEE.Name,HR.email,HR.NAME\nana@example.com,Ana,hr@example.com,HR\n"], "p.csv"));
    const res = await s.api(`/api/v1/templates/${templateId}/bulk-send`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    await s.running.app.jobs.drain();
    const done = await (await s.api(`/api/v1/batches/${(await res.json()).id}`)).json();
    expect(done).toMatchObject({ sent: 1, failed: 0 });
    const env = await (await s.api(`/api/v1/envelopes/${done.envelopes[0].envelopeId}`)).json();
    expect(env.recipients[0]).toMatchObject({ roleName: "Employee", name: "Ana", email: "ana@example.com" });
  });

  test("refused at once: no rows, more than 1,000, an unknown template, a CSV without recipient columns", async () => {
    expect((await post(s, `/api/v1/templates/${templateId}/bulk-send`, { rows: [] })).status).toBe(422);
    const tooMany = await post(s, `/api/v1/templates/${templateId}/bulk-send`, { rows: Array.from({ length: 1001 }, (_, i) => row(i)) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0].message).toContain("at most 1000");
    expect((await post(s, "/api/v1/templates/tpl_nope/bulk-send", { rows: [row(1)] })).status).toBe(404);
    const form = new FormData();
    form.set("file", new File(["Salary\n1\n"], "x.csv", { type: "text/csv" }));
    const res = await s.api(`/api/v1/templates/${templateId}/bulk-send`, { method: "POST", body: form });
    expect(res.status).toBe(422);
    expect((await res.json()).errors[0].message).toContain("Role.email");
  });
});
