import { encodeTime } from "ulid";
import type { Queryable } from "./db.js";

/**
 * Month partitions of the big, time-ordered tables, RANGE on a ULID id (see
 * db/migrations/0060_month_partitions.sql and docs/deploy.md): month M of a table holds the
 * keys from `prefix + ulidTime(M)` to `prefix + ulidTime(M + 1)`, in `<parent>_pYYYYMM`, and
 * `<parent>_default` catches keys outside every month that exists.
 */
export interface MonthPartitioned {
  parent: string;
  /** The partition key: the row's own id, or the id of the message it belongs to. */
  key: string;
  /** The id prefix of the key, with its underscore (`msg_`). */
  prefix: string;
}

/** The first instant (UTC) of the month `d` falls in, `add` months later. */
export function monthStart(d: Date, add = 0): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1));
}

/** The smallest key of the month starting at `month` (and the bound after the month before). */
export function monthBound(prefix: string, month: Date): string {
  return `${prefix}${encodeTime(month.getTime(), 10)}`;
}

export function partitionName(parent: string, month: Date): string {
  return `${parent}_p${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * Creates the month's partition unless it exists (moving its rows out of the default
 * partition first). True when it created one. Takes an exclusive lock on the parent briefly.
 */
export async function ensureMonth(q: Queryable, t: MonthPartitioned, month: Date): Promise<boolean> {
  const { created } = await q.one<{ created: boolean }>(
    "SELECT subtext_month_partition($1, $2, $3, $4::date) AS created",
    [t.parent, t.key, t.prefix, month.toISOString().slice(0, 10)],
  );
  return created;
}

/** The months that have a partition, oldest first. */
export async function partitionMonths(q: Queryable, parent: string): Promise<Date[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = to_regclass($1)`,
    [parent],
  );
  const pattern = new RegExp(`^${parent}_p(\\d{4})(\\d{2})$`);
  return rows
    .flatMap((r) => {
      const m = pattern.exec(r.name);
      return m ? [new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))] : [];
    })
    .sort((a, b) => a.getTime() - b.getTime());
}

/** The months of the rows sitting in the default partition (keys that are not ULIDs aside). */
export async function monthsInDefault(q: Queryable, t: MonthPartitioned): Promise<Date[]> {
  if (!/^[a-z][a-z0-9]*_$/.test(t.prefix)) throw new Error(`not an id prefix: ${t.prefix}`);
  // The regular expression first: a default partition full of other ids costs a scan, not a
  // function call a row.
  const { rows } = await q.query<{ month: string }>(
    `SELECT DISTINCT subtext_id_month(${ident(t.key)})::text AS month FROM ${ident(`${t.parent}_default`)}
     WHERE ${ident(t.key)} ~ '^${t.prefix}[0-9A-HJKMNP-TV-Z]{26}$'`,
  );
  return rows.map((r) => new Date(`${r.month}T00:00:00Z`));
}

/** Drops one month of a table: its rows go at once, without a DELETE. */
export async function dropMonth(q: Queryable, parent: string, month: Date): Promise<void> {
  await q.query(`DROP TABLE IF EXISTS ${ident(partitionName(parent, month))}`);
}

/** Table names here are ours (constants), never input; quoted all the same. */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a table name: ${name}`);
  return `"${name}"`;
}
