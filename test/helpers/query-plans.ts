import type { Database } from "bun:sqlite";

/**
 * The steps of a statement's query plan (`EXPLAIN QUERY PLAN`), joined by "; ". Without `params`,
 * each parameter of the statement is bound to "x". The EXPLAIN statement is finalized: one left
 * compiled on the server's connection keeps it busy (SQLITE_LOCKED) for a later checkpoint, such
 * as the one with which a purge empties the log.
 */
export function queryPlan(client: Database, sql: string, ...params: (string | number)[]): string {
  const explain = client.prepare(`EXPLAIN QUERY PLAN ${sql}`, []);
  try {
    const values = params.length ? params : Array<string>(explain.paramsCount).fill("x");
    return (explain.all(...(values as [])) as { detail: string }[]).map((r) => r.detail).join("; ");
  } finally {
    explain.finalize();
  }
}

/** The SQL of every statement prepared on `client` while `run` runs (the app's and drizzle's go through prepare). */
export async function statementsOf(client: Database, run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const prepare = client.prepare;
  client.prepare = ((sql: string, ...rest: unknown[]) => (seen.push(sql), prepare.call(client, sql, ...(rest as [])))) as typeof client.prepare;
  try {
    await run();
  } finally {
    client.prepare = prepare;
  }
  return seen;
}

/** The steps of the statements' query plans that read a table whole ("SCAN t" without an index), each with its statement. */
export function fullScans(client: Database, sqls: string[]): string[] {
  return [...new Set(sqls)].filter((sql) => /^\s*(select|update|delete|with)/i.test(sql)).flatMap((sql) =>
    queryPlan(client, sql).split("; ").filter((d) => /^SCAN /.test(d) && !/USING (COVERING )?INDEX/.test(d)).map((d) => `${d}: ${sql}`));
}
