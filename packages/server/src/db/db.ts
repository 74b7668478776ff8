/**
 * The storage seam: one PostgreSQL dialect over two engines (PGlite embedded, node-postgres
 * for production). Use cases receive a `Queryable` (the database or an open transaction) and
 * write plain SQL; `tx()` groups a state change into one transaction.
 *
 * Values: timestamptz → Date, int8/count(*) → number, numeric → string, jsonb → parsed.
 * Pass jsonb parameters as `JSON.stringify(value)` (node-postgres turns JS arrays into
 * PostgreSQL arrays, not JSON).
 */
export type Engine = "pglite" | "postgres";

export interface QueryResult<T> {
  rows: T[];
  /** Rows returned or changed by the statement. */
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Exactly one row, or throws. */
  one<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T>;
  /** The first row, or null when there is none. */
  maybeOne<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | null>;
  /** Several statements without parameters (migrations, scripts). */
  exec(sql: string): Promise<void>;
}

/** A queryable bound to an open transaction. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
}

export interface Db extends Queryable {
  readonly engine: Engine;
  /**
   * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws.
   * On PGlite transactions are serialized (one connection); keep them short and never await
   * network calls (Twilio) inside one.
   */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Hears `notify(q, channel, …)` from every process on this database, at the commit of the
   * transaction that sent it. `onGap("lost")` runs when the listening connection is lost and
   * `onGap("back")` when it listens again: notifications sent in between are gone, so whatever
   * they would have said must be assumed.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onGap: (state: "lost" | "back") => void,
  ): Promise<Listening>;
  close(): Promise<void>;
}

export interface Listening {
  close(): Promise<void>;
}

/** Sends `payload` on `channel` to every listener, when q's transaction commits (now outside one). */
export async function notify(q: Queryable, channel: string, payload: string): Promise<void> {
  await q.query("SELECT pg_notify($1, $2)", [channel, payload]);
}

/** Adds `one`/`maybeOne` on top of a bare `query`. */
export function withRowHelpers<Q extends Pick<Queryable, "query" | "exec">>(q: Q): Q & Queryable {
  const helpers = {
    async one<T>(sql: string, params?: readonly unknown[]): Promise<T> {
      const { rows } = await q.query<T>(sql, params);
      if (rows.length !== 1)
        throw new Error(`expected exactly one row, got ${rows.length}: ${sql.slice(0, 120)}`);
      return rows[0];
    },
    async maybeOne<T>(sql: string, params?: readonly unknown[]): Promise<T | null> {
      const { rows } = await q.query<T>(sql, params);
      return rows[0] ?? null;
    },
  };
  return Object.assign(q, helpers) as Q & Queryable;
}

/** PostgreSQL error code 23505, optionally for one constraint. Both engines expose `code`/`constraint`. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === "23505" && (constraint === undefined || e.constraint === constraint);
}
