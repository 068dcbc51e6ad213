import type { Database } from "bun:sqlite";
import { PreparedQuery } from "drizzle-orm/bun-sqlite/session";

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

/**
 * How many times each SQL text ran on SQLite while `run` ran, through drizzle's prepared queries
 * (every query of the app goes through them). Once per statement: `all` calls `values` itself.
 */
export async function executionsOf(run: () => Promise<unknown>): Promise<Map<string, number>> {
  const proto = PreparedQuery.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = Object.fromEntries((["all", "get", "run", "values"] as const).map((m) => [m, proto[m]!]));
  const counts = new Map<string, number>();
  let depth = 0;
  for (const [m, fn] of Object.entries(originals))
    proto[m] = function (this: { query: { sql: string } }, ...a: unknown[]) {
      if (depth++ === 0) counts.set(this.query.sql, (counts.get(this.query.sql) ?? 0) + 1);
      try {
        return fn.apply(this, a);
      } finally {
        depth--;
      }
    };
  try {
    await run();
  } finally {
    Object.assign(proto, originals);
  }
  return counts;
}

/** The executions among `counts` (executionsOf) of the SQL texts `pattern` matches. */
export const executionsMatching = (counts: Map<string, number>, pattern: RegExp): number =>
  [...counts].filter(([sql]) => pattern.test(sql)).reduce((n, [, c]) => n + c, 0);
