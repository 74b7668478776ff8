import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "./db.js";

/**
 * Plain, numbered SQL migrations applied at start-up.
 *
 * Files live in `src/db/migrations/` and in any `src/<module>/migrations/` folder, named
 * `NNNN_words.sql`, and are applied in lexical order of their names across folders; two files
 * with one number stop the start. Each module numbers within its own range: 0001–0099
 * foundation (db/), 0100–0199 onboarding, 0200–0299 messaging, 0300–0309 events, 0310–0399
 * usage, 0400–0499 channels, 0500–0509 staff, 0510–0599 insights.
 * All pending files run in ONE transaction under an advisory lock, so several processes
 * starting at once on PostgreSQL apply each file exactly once and none sees half a schema.
 */
export interface Migration {
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  /** Applied earlier, but the file has changed since: logged, not re-run. */
  changed: string[];
}

const SRC = fileURLToPath(new URL("..", import.meta.url));
const NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

export function findMigrations(srcDir = SRC): Migration[] {
  const dirs = [join(srcDir, "db", "migrations")];
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    const dir = join(srcDir, entry.name, "migrations");
    if (entry.isDirectory() && entry.name !== "db" && existsSync(dir)) dirs.push(dir);
  }
  const byName = new Map<string, Migration>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".sql")) continue;
      if (!NAME.test(file))
        throw new Error(`migration ${join(dir, file)}: name must look like 0123_what_it_does.sql`);
      const path = join(dir, file);
      const prefix = file.slice(0, 4);
      const clash = [...byName.values()].find((m) => m.name.slice(0, 4) === prefix);
      if (clash) throw new Error(`migrations ${clash.path} and ${path} share the number ${prefix}`);
      const sql = readFileSync(path, "utf8");
      byName.set(file, { name: basename(file, ".sql"), path, sql, checksum: sha256(sql) });
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

export async function migrate(db: Db, migrations = findMigrations()): Promise<MigrationReport> {
  return db.tx(async (tx) => {
    // Keyed by schema, so test files migrating their own schemas do not wait on each other.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('subtext.migrate.' || current_schema()))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ name: string; checksum: string }>(
      "SELECT name, checksum FROM schema_migrations",
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const report: MigrationReport = { applied: [], changed: [] };
    for (const m of migrations) {
      const checksum = done.get(m.name);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) report.changed.push(m.name);
        continue;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [m.name, m.checksum]);
      report.applied.push(m.name);
    }
    return report;
  });
}

/** Names of migrations found on disk but not applied to this database (readiness). */
export async function pendingMigrations(db: Db, migrations = findMigrations()): Promise<string[]> {
  const exists = await db.maybeOne<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (!exists?.t) return migrations.map((m) => m.name);
  const { rows } = await db.query<{ name: string }>("SELECT name FROM schema_migrations");
  const done = new Set(rows.map((r) => r.name));
  return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
