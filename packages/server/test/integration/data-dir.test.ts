/**
 * The data dir holds message bodies (the embedded database), the admin token's hash, the master
 * key and every subaccount's auth token (the emulator's state): it is private to its user, also
 * when an older version or a copy left it open.
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/kernel/logger.js";
import { openRuntime } from "../../src/app/runtime.js";
import { ENGINE, type TestDb, openTestDb } from "./harness.js";

const roots: string[] = [];
let testDb: TestDb | undefined;
afterAll(async () => {
  await testDb?.drop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Paths under `dir` (and `dir` itself) that other users may read, write or search. */
function openToOthers(dir: string): string[] {
  const open: string[] = [];
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.mode & 0o077) open.push(`${(st.mode & 0o777).toString(8)} ${path}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return open;
}

describe(`the data dir (${ENGINE})`, () => {
  it("is 0700 with owner-only files after a start, also when it pre-existed with 0755/0666 entries", async () => {
    const root = mkdtempSync(join(tmpdir(), "subtext-datadir-"));
    roots.push(root);
    const dir = join(root, "data");
    // As an older version left it under umask 022.
    mkdirSync(join(dir, "emulator"), { recursive: true });
    writeFileSync(join(dir, "emulator", "emulator.jsonl"), "");
    writeFileSync(join(dir, "notes.txt"), "left here");
    for (const p of [dir, join(dir, "emulator")]) chmodSync(p, 0o755);
    for (const p of [join(dir, "notes.txt"), join(dir, "emulator", "emulator.jsonl")]) chmodSync(p, 0o666);

    if (ENGINE === "postgres") testDb = await openTestDb();
    const runtime = await openRuntime({
      config: loadConfig({
        PORT: "0",
        SUBTEXT_EMULATOR_PORT: "0",
        SUBTEXT_DATA_DIR: dir,
        LOG_LEVEL: "silent",
        ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
      }),
      log: createLogger("silent"),
      emulator: "start",
    });
    try {
      expect(runtime.services.db.engine).toBe(ENGINE);
      await runtime.services.db.query("SELECT 1");
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(openToOthers(dir)).toEqual([]);
      if (ENGINE === "pglite") expect(readdirSync(join(dir, "pglite")).length).toBeGreaterThan(10);
      expect(readdirSync(dir)).toEqual(
        expect.arrayContaining(["master-keys.json", "emulator-control-token"]),
      );
    } finally {
      await runtime.close();
    }
    expect(openToOthers(dir)).toEqual([]); // what the database wrote on its way out too
  }, 180_000);
});
