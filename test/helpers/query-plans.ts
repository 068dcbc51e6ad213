import type { Database } from "bun:sqlite";

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

/**
 * The steps of the statements' query plans that read a table whole ("SCAN t" without an index),
 * each with its statement. The EXPLAIN statements are finalized: one left compiled on the server's
 * connection would keep it busy for a later checkpoint.
 */
export function fullScans(client: Database, sqls: string[]): string[] {
  return [...new Set(sqls)].filter((sql) => /^\s*(select|update|delete|with)/i.test(sql)).flatMap((sql) => {
    const explain = client.prepare(`EXPLAIN QUERY PLAN ${sql}`, []);
    try {
      const params: string[] = Array(explain.paramsCount).fill("x");
      const details = (explain.all(...(params as [])) as { detail: string }[]).map((r) => r.detail);
      return details.filter((d) => /^SCAN /.test(d) && !/USING (COVERING )?INDEX/.test(d)).map((d) => `${d}: ${sql}`);
    } finally {
      explain.finalize();
    }
  });
}
