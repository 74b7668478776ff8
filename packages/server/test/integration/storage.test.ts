import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeTime } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "../../src/db/db.js";
import { isId, newId } from "../../src/db/ids.js";
import { findMigrations, migrate, pendingMigrations } from "../../src/db/migrate.js";
import { openPostgres } from "../../src/db/postgres.js";
import { ENGINE, TEST_DATABASE_URL, type TestDb, openTestDb } from "./harness.js";

let test: TestDb;
beforeAll(async () => {
  test = await openTestDb();
});
afterAll(() => test?.drop());

describe("migrations", () => {
  it("applies every migration once, in order, and records it", async () => {
    const all = findMigrations();
    expect(all[0].name).toBe("0001_foundation");
    expect(await pendingMigrations(test.db)).toEqual(all.map((m) => m.name));
    expect((await migrate(test.db)).applied).toEqual(all.map((m) => m.name));
    expect(await migrate(test.db)).toEqual({ applied: [], changed: [] });
    expect(await pendingMigrations(test.db)).toEqual([]);
  });

  it("orders files from module folders by number across folders and refuses two files with one number", () => {
    const src = mkdtempSync(join(tmpdir(), "subtext-mig-"));
    try {
      for (const [dir, file] of [
        ["db/migrations", "0001_base.sql"],
        ["messaging/migrations", "0200_messages.sql"],
        ["onboarding/migrations", "0100_registrations.sql"],
        ["db/migrations", "0002_more.sql"],
      ]) {
        mkdirSync(join(src, dir), { recursive: true });
        writeFileSync(join(src, dir, file), "SELECT 1;");
      }
      expect(findMigrations(src).map((m) => m.name)).toEqual([
        "0001_base",
        "0002_more",
        "0100_registrations",
        "0200_messages",
      ]);
      writeFileSync(join(src, "messaging/migrations", "0100_clash.sql"), "SELECT 1;");
      expect(() => findMigrations(src)).toThrow(/share the number 0100/);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  it("rolls back a failing migration entirely", async () => {
    const broken = [
      { name: "9001_ok", path: "x", sql: "CREATE TABLE half_done (id int);", checksum: "a" },
      {
        name: "9002_broken",
        path: "y",
        sql: "CREATE TABLE nope (id int); SELECT * FROM missing_table;",
        checksum: "b",
      },
    ];
    await expect(migrate(test.db, broken)).rejects.toThrow(/migration 9002_broken failed/);
    expect(await test.db.maybeOne("SELECT to_regclass('half_done') AS t")).toEqual({ t: null });
    expect(await pendingMigrations(test.db, broken)).toEqual(["9001_ok", "9002_broken"]);
  });

  it("lets several processes migrate one database at once: each file runs once", async () => {
    const extra = [{ name: "9100_counter", path: "z", sql: "CREATE TABLE counter (id int);", checksum: "c" }];
    // PostgreSQL: four pools on the same schema, as four processes would; PGlite: one process.
    const dbs =
      ENGINE === "postgres"
        ? await Promise.all(
            [1, 2, 3, 4].map(() => openPostgres(TEST_DATABASE_URL, { schema: test.schema!, max: 2 })),
          )
        : [test.db, test.db, test.db, test.db];
    try {
      const reports = await Promise.all(dbs.map((db) => migrate(db, [...findMigrations(), ...extra])));
      expect(reports.flatMap((r) => r.applied)).toEqual(["9100_counter"]);
    } finally {
      if (ENGINE === "postgres") await Promise.all(dbs.map((db) => db.close()));
    }
  });
});

describe("the Db interface", () => {
  it("returns the same value shapes on both engines", async () => {
    const row = await test.db.one<Record<string, unknown>>(
      `SELECT 1::int8 AS big, count(*) AS n, 1.50::numeric AS price, now() AS at,
              '{"a":[1,2]}'::jsonb AS doc, $1::jsonb AS param, ARRAY['x','y'] AS list
       FROM (VALUES (1), (2)) v`,
      [JSON.stringify({ b: true })],
    );
    expect(row).toEqual({
      big: 1,
      n: 2,
      price: "1.50",
      at: expect.any(Date),
      doc: { a: [1, 2] },
      param: { b: true },
      list: ["x", "y"],
    });
  });

  it("commits a transaction that resolves and rolls back one that throws", async () => {
    await test.db.exec("CREATE TABLE IF NOT EXISTS tx_probe (id text PRIMARY KEY)");
    await test.db.tx(async (tx) => {
      await tx.query("INSERT INTO tx_probe VALUES ('kept')");
    });
    await expect(
      test.db.tx(async (tx) => {
        await tx.query("INSERT INTO tx_probe VALUES ('dropped')");
        await tx.query("INSERT INTO tx_probe VALUES ('kept')");
      }),
    ).rejects.toSatisfy((err: unknown) => isUniqueViolation(err, "tx_probe_pkey"));
    const { rows } = await test.db.query("SELECT id FROM tx_probe ORDER BY id");
    expect(rows).toEqual([{ id: "kept" }]);
    expect((await test.db.query("UPDATE tx_probe SET id = id")).rowCount).toBe(1);
  });

  it("refuses db.query inside db.tx, which would deadlock the embedded engine", async () => {
    await expect(test.db.tx(async () => test.db.query("SELECT 1"))).rejects.toThrow(/inside db.tx/);
    await expect(test.db.tx(async () => test.db.tx(async () => 1))).rejects.toThrow(/inside db.tx/);
    // The guard ends with the transaction.
    expect((await test.db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("serializes concurrent transactions without losing updates", async () => {
    await test.db.exec(
      "CREATE TABLE IF NOT EXISTS tally (id int PRIMARY KEY, n int NOT NULL); INSERT INTO tally VALUES (1, 0) ON CONFLICT DO NOTHING",
    );
    await Promise.all(
      Array.from({ length: 20 }, () =>
        test.db.tx(async (tx) => {
          const { n } = await tx.one<{ n: number }>("SELECT n FROM tally WHERE id = 1 FOR UPDATE");
          await tx.query("UPDATE tally SET n = $1 WHERE id = 1", [n + 1]);
        }),
      ),
    );
    expect(await test.db.one("SELECT n FROM tally WHERE id = 1")).toEqual({ n: 20 });
  });
});

describe("ids", () => {
  it("are prefixed, sortable ULIDs", () => {
    const ids = Array.from({ length: 1000 }, () => newId("msg"));
    expect(ids.every((id) => isId("msg", id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(newId("ten_").startsWith("ten_")).toBe(true);
    expect(() => newId("Bad Prefix")).toThrow();
    expect(isId("ten", ids[0])).toBe(false);
  });

  it("carry a given instant when asked (a message's month partition is chosen by its id)", () => {
    const at = new Date(Date.UTC(2031, 4, 17, 12));
    const [a, b] = [newId("msg", at), newId("msg", at)];
    expect(a.slice(4, 14)).toBe(encodeTime(at.getTime(), 10));
    expect(b > a).toBe(true);
    // A clock that starts again earlier (a new test clock) gets its own time, not the last one's.
    const before = Date.UTC(2030, 0, 1);
    expect(newId("msg", new Date(before)).slice(4, 14)).toBe(encodeTime(before, 10));
  });
});
