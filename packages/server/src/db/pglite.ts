import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { ensurePrivateDir, restrictTree } from "../kernel/data-dir.js";
import { type Db, type QueryResult, type Tx, withRowHelpers } from "./db.js";
import { assertNotInsideTx, runInTxScope } from "./guard.js";

/**
 * The embedded engine: PostgreSQL compiled to WebAssembly, in this process. `dataDir`
 * persists to disk; undefined keeps everything in memory (tests).
 *
 * Limits (README): one process at a time (guarded by a lock file), one connection (so
 * transactions run one after another), no fsync (a process crash loses nothing committed, an
 * OS crash can). `loadDataDir` starts from a dump (`dumpPglite`) instead of running initdb.
 */
export async function openPglite(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<Db> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  let pg: PGlite;
  try {
    if (dataDir) ensurePrivateDir(dataDir);
    pg = await PGlite.create(dataDir ?? "memory://", { loadDataDir: options.loadDataDir });
  } catch (err) {
    release();
    throw err;
  }
  try {
    // initdb (first start) and the relcache file are written with explicit group/other modes;
    // see system/data-dir.ts for why a umask cannot prevent it.
    if (dataDir) restrictTree(dataDir);
  } catch (err) {
    await pg.close();
    release();
    throw err;
  }

  const run = async <T>(target: PGlite | Transaction, sql: string, params?: readonly unknown[]) => {
    const res = await target.query<T>(sql, params as unknown[] | undefined);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length } satisfies QueryResult<T>;
  };

  const db = withRowHelpers({
    engine: "pglite" as const,
    query<T>(sql: string, params?: readonly unknown[]) {
      assertNotInsideTx(db, "db.query()");
      return run<T>(pg, sql, params);
    },
    async exec(sql: string) {
      assertNotInsideTx(db, "db.exec()");
      await pg.exec(sql);
    },
    tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      assertNotInsideTx(db, "db.tx()");
      return pg.transaction((t) => {
        const tx = withRowHelpers({
          inTransaction: true as const,
          query: <R>(sql: string, params?: readonly unknown[]) => run<R>(t, sql, params),
          exec: async (sql: string) => {
            await t.exec(sql);
          },
        });
        return runInTxScope(db, () => fn(tx));
      });
    },
    async listen(channel: string, onMessage: (payload: string) => void) {
      const unlisten = await pg.listen(channel, onMessage);
      return { close: () => (pg.closed ? Promise.resolve() : unlisten()) };
    },
    async close() {
      try {
        if (!pg.closed) await pg.close();
        if (dataDir) restrictTree(dataDir);
      } finally {
        release();
      }
    },
  });
  return db;
}

/** One process per embedded data directory: PGlite does not guard against a second opener. */
function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir.replace(/\/+$/, "")}.lock`;
  mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(lock, String(process.pid), { flag: "wx", mode: 0o600 });
  } catch {
    const holder = Number(readFileSync(lock, "utf8"));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${holder} (a running \`subtext start\`?). ` +
          "PGlite serves one process: stop that process, use its HTTP API, or set DATABASE_URL to use PostgreSQL.",
      );
    }
    writeFileSync(lock, String(process.pid));
  }
  return () => rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A fresh, empty embedded database as a tarball: tests start from it (initdb takes seconds). */
export async function dumpEmptyPglite(): Promise<Blob> {
  const pg = await PGlite.create();
  try {
    return await pg.dumpDataDir("none");
  } finally {
    await pg.close();
  }
}
