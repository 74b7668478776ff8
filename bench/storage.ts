/**
 * Storage engines: insert and claim rates of PGlite (embedded, persisted to disk) and
 * PostgreSQL, through the server's own Db layer, with ~300-byte message rows.
 *
 *   npx tsx bench/storage.ts [--rows 2000] [--claim-rows 20000]
 *     DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) selects the PostgreSQL
 *     server; it is skipped when unreachable.
 *
 * Measures, in rows per second:
 *   - 1 insert per transaction (BEGIN; INSERT; COMMIT) — one request, one commit
 *   - 100 single-row inserts per transaction
 *   - 1 multi-row INSERT of 100 rows per transaction (what group commit does)
 *   - claiming due rows 100 at a time with FOR UPDATE SKIP LOCKED (the job/dispatch pattern),
 *     by 1 claimer and, on PostgreSQL, by 4 concurrent claimers
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Db, newId, openPglite, openPostgres } from "@subtext/server";

function arg(name: string, fallback: number) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

export const SCHEMA = `
  CREATE TABLE bench_messages (
    id text PRIMARY KEY,
    tenant_id text NOT NULL,
    to_number text NOT NULL,
    from_number text NOT NULL,
    body text NOT NULL,
    status text NOT NULL,
    run_at timestamptz NOT NULL,
    locked_by text,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX bench_messages_due ON bench_messages (run_at) WHERE locked_by IS NULL;`;

// ~300 bytes per row: ids, numbers, a 200-character body, status, timestamps.
const BODY = "Jane's Bakery: your order is ready for pickup at 1 Main St. Reply STOP to opt out. "
  .repeat(3)
  .slice(0, 200);
export const row = () => [
  newId("msg"),
  "ten_01JC0000000000000000000000",
  "+14155550123",
  "+18005550100",
  BODY,
  "queued",
];

export interface EngineFigures {
  engine: string;
  insertOnePerTx: number;
  insert100PerTx: number;
  multiRow100: number;
  claim100: number;
  claim100x4?: number;
}

async function rate(rows: number, fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return Math.round(rows / ((performance.now() - started) / 1000));
}

export const INSERT =
  "INSERT INTO bench_messages (id, tenant_id, to_number, from_number, body, status, run_at) VALUES ($1,$2,$3,$4,$5,$6,now())";

export function multiRowInsert(n: number): { sql: string; params: unknown[] } {
  const values: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const p = params.length;
    values.push(`($${p + 1},$${p + 2},$${p + 3},$${p + 4},$${p + 5},$${p + 6},now())`);
    params.push(...row());
  }
  return {
    sql: `INSERT INTO bench_messages (id, tenant_id, to_number, from_number, body, status, run_at) VALUES ${values.join(",")}`,
    params,
  };
}

async function claimAll(db: Db, worker: string): Promise<number> {
  let claimed = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `WITH due AS (
         SELECT id FROM bench_messages WHERE locked_by IS NULL AND run_at <= now()
         ORDER BY run_at LIMIT 100 FOR UPDATE SKIP LOCKED)
       UPDATE bench_messages m SET locked_by = $1, status = 'sending' FROM due WHERE m.id = due.id
       RETURNING m.id`,
      [worker],
    );
    if (rowCount === 0) return claimed;
    claimed += rowCount;
  }
}

async function measure(engine: string, dbs: Db[], rows: number, claimRows: number): Promise<EngineFigures> {
  const db = dbs[0];
  await db.exec(SCHEMA);
  const reset = () => db.exec("TRUNCATE bench_messages");

  const insertOnePerTx = await rate(rows, async () => {
    for (let i = 0; i < rows; i++) await db.tx((tx) => tx.query(INSERT, row()).then(() => undefined));
  });
  await reset();
  const insert100PerTx = await rate(rows * 5, async () => {
    for (let b = 0; b < (rows * 5) / 100; b++) {
      await db.tx(async (tx) => {
        for (let i = 0; i < 100; i++) await tx.query(INSERT, row());
      });
    }
  });
  await reset();
  const multiRow100 = await rate(rows * 10, async () => {
    for (let b = 0; b < (rows * 10) / 100; b++) {
      const { sql, params } = multiRowInsert(100);
      await db.tx((tx) => tx.query(sql, params).then(() => undefined));
    }
  });

  const load = async () => {
    await reset();
    for (let b = 0; b < claimRows / 100; b++) {
      const { sql, params } = multiRowInsert(100);
      await db.query(sql, params);
    }
    await db.exec("ANALYZE bench_messages");
  };
  await load();
  const claim100 = await rate(claimRows, async () => {
    const n = await claimAll(db, "w1");
    if (n !== claimRows) throw new Error(`claimed ${n} of ${claimRows}`);
  });
  let claim100x4: number | undefined;
  if (dbs.length > 1) {
    await load();
    claim100x4 = await rate(claimRows, async () => {
      const counts = await Promise.all(dbs.slice(0, 4).map((d, i) => claimAll(d, `w${i}`)));
      const total = counts.reduce((a, b) => a + b, 0);
      if (total !== claimRows)
        throw new Error(`claimed ${total} of ${claimRows} (a row was claimed twice or lost)`);
    });
  }
  return { engine, insertOnePerTx, insert100PerTx, multiRow100, claim100, claim100x4 };
}

export async function benchStorage(
  options: { rows?: number; claimRows?: number } = {},
): Promise<EngineFigures[]> {
  const rows = options.rows ?? arg("rows", 2000);
  const claimRows = options.claimRows ?? arg("claim-rows", 20000);
  const results: EngineFigures[] = [];

  const dir = mkdtempSync(join(tmpdir(), "subtext-bench-"));
  const lite = await openPglite(join(dir, "pglite"));
  try {
    results.push(await measure("PGlite (embedded, on disk)", [lite], rows, claimRows));
  } finally {
    await lite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const pools: Db[] = [];
  try {
    // The first creates the schema; four single-connection pools act as four processes.
    pools.push(await openPostgres(url, { schema, max: 1 }));
    for (let i = 0; i < 3; i++) pools.push(await openPostgres(url, { schema, max: 1 }));
  } catch (err) {
    console.error(`PostgreSQL skipped (${(err as Error).message})`);
  }
  if (pools.length) {
    try {
      const version = await pools[0].one<{ v: string }>("SELECT current_setting('server_version') AS v");
      results.push(await measure(`PostgreSQL ${version.v.split(" ")[0]}`, pools, rows, claimRows));
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
  return results;
}

export function storageTable(results: EngineFigures[]): string {
  const n = (v?: number) => (v === undefined ? "—" : v.toLocaleString("en-US"));
  return [
    "| engine | 1 insert / tx | 100 inserts / tx | 1 multi-row INSERT of 100 / tx | claim 100 (SKIP LOCKED), 1 claimer | claim 100, 4 claimers |",
    "|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.engine} | ${n(r.insertOnePerTx)} | ${n(r.insert100PerTx)} | ${n(r.multiRow100)} | ${n(r.claim100)} | ${n(r.claim100x4)} |`,
    ),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await benchStorage();
  console.log(storageTable(results));
}
