import pg from "pg";
import { type Db, type Listening, type QueryResult, type Tx, withRowHelpers } from "./db.js";
import { assertNotInsideTx, runInTxScope } from "./guard.js";

export interface PostgresOptions {
  /** Use this schema (created if missing) through search_path on every connection. */
  schema?: string;
  max?: number;
  onError?: (err: Error) => void;
}

// Same value shapes as PGlite: int8 (ids, count(*)) as numbers; everything else pg's default.
const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Production engine: a node-postgres pool on DATABASE_URL. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`invalid schema name ${options.schema}`);
  }
  if (options.schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", (err) => options.onError?.(err));

  const run = async <T>(target: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    const res = await target.query(sql, params as unknown[] | undefined);
    return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length } satisfies QueryResult<T>;
  };

  const db = withRowHelpers({
    engine: "postgres" as const,
    query<T>(sql: string, params?: readonly unknown[]) {
      assertNotInsideTx(db, "db.query()");
      return run<T>(pool, sql, params);
    },
    async exec(sql: string) {
      assertNotInsideTx(db, "db.exec()");
      await pool.query(sql);
    },
    async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      assertNotInsideTx(db, "db.tx()");
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const tx = withRowHelpers({
          inTransaction: true as const,
          query: <R>(sql: string, params?: readonly unknown[]) => run<R>(client, sql, params),
          exec: async (sql: string) => {
            await client.query(sql);
          },
        });
        const result = await runInTxScope(db, () => fn(tx));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async listen(
      channel: string,
      onMessage: (payload: string) => void,
      onGap: (state: "lost" | "back") => void,
    ) {
      return listenOn(url, channel, onMessage, onGap);
    },
    async close() {
      await pool.end();
    },
  });
  return db;
}

/**
 * A connection of its own that LISTENs, and comes back after a loss (retrying every second):
 * `onGap` tells the caller when notifications may be missed, and when they arrive again.
 */
async function listenOn(
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onGap: (state: "lost" | "back") => void,
): Promise<Listening> {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (n) => {
      if (n.channel === channel) onMessage(n.payload ?? "");
    });
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    await c.connect();
    await c.query(`LISTEN "${channel}"`);
    client = c;
  };
  const lost = (c: pg.Client) => {
    if (closed || client !== c) return;
    client = null;
    c.end().catch(() => {});
    onGap("lost");
    const again = () => {
      retry = null;
      if (closed) return;
      connect().then(
        () => onGap("back"),
        () => {
          retry = setTimeout(again, 1_000);
        },
      );
    };
    retry = setTimeout(again, 1_000);
  };
  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
