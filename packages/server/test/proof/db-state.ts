/**
 * The whole database as digests, to prove that a refused request changed nothing. Works on
 * both engines (the tables of the current schema). Bookkeeping of who called (a key's or a
 * session's last use, the rate limits' counters, failed sign-ins) is not state a refused
 * request may not touch, so it is left out.
 */
import type { Queryable } from "../../src/db/db.js";

const BOOKKEEPING = ["last_used_at", "last_seen_at"];
/** Counting refused sign-ins is what makes later ones wait (staff/throttle.ts): a refusal must. */
const BOOKKEEPING_TABLES = ["rate_limit_windows", "staff_login_throttles"];

export async function tableNames(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((r) => r.name).filter((name) => !BOOKKEEPING_TABLES.includes(name));
}

/** Row count of every table, in one round trip. */
export async function rowCounts(q: Queryable, tables?: string[]): Promise<Record<string, number>> {
  const names = tables ?? (await tableNames(q));
  const sql = names.map((t) => `SELECT '${t}' AS name, count(*)::int AS n FROM "${t}"`).join(" UNION ALL ");
  const { rows } = await q.query<{ name: string; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

/** A digest of every row of every table (bookkeeping columns removed). */
export async function tableDigests(q: Queryable, tables?: string[]): Promise<Record<string, string>> {
  const names = tables ?? (await tableNames(q));
  const strip = BOOKKEEPING.map((c) => ` - '${c}'`).join("");
  const sql = names
    .map(
      (t) =>
        `SELECT '${t}' AS name, coalesce(md5(string_agg((to_jsonb(x)${strip})::text, '|' ORDER BY (to_jsonb(x)${strip})::text)), '') AS digest FROM "${t}" x`,
    )
    .join(" UNION ALL ");
  const { rows } = await q.query<{ name: string; digest: string }>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

/** The tables whose digest differs between two snapshots. */
export function changedTables(
  before: Record<string, string | number>,
  after: Record<string, string | number>,
) {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

/** Digests of one tenant's rows, in every table that has a tenant_id column. */
export async function tenantDigests(q: Queryable, tenantId: string): Promise<Record<string, string>> {
  const { rows: tables } = await q.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY 1`,
  );
  const strip = BOOKKEEPING.map((c) => ` - '${c}'`).join("");
  const sql = tables
    .map(
      ({ name }) =>
        `SELECT '${name}' AS name, coalesce(md5(string_agg((to_jsonb(x)${strip})::text, '|' ORDER BY (to_jsonb(x)${strip})::text)), '') AS digest FROM "${name}" x WHERE x.tenant_id = $1`,
    )
    .join(" UNION ALL ");
  const { rows } = await q.query<{ name: string; digest: string }>(sql, [tenantId]);
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}
