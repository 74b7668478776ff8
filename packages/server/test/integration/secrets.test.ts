import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { findTenant } from "../../src/tenancy/tenants.js";
import { keyIdOf } from "../../src/vault/cipher.js";
import { KEY_FILE, keyringFromKeys, loadKeyring } from "../../src/vault/keyring.js";
import { rotateMasterKey } from "../../src/vault/rotate.js";
import { Vault } from "../../src/vault/vault.js";
import { type Stack, type TestDb, openTestDb, startStack } from "./harness.js";

/** Every row of every table of the database, as text. */
async function dumpDatabase(db: Stack["db"]): Promise<string> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["tenants", "secrets", "api_keys"]));
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
    parts.push(`${table_name}:\n${rows.map((r) => r.row).join("\n")}`);
  }
  return parts.join("\n");
}

describe("secrets at rest", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it("stores no Twilio auth token, Twilio key secret, platform API key or admin token in plain text", async () => {
    const { tenant, key } = await stack.newTenant({ name: "Secretive" });
    const row = (await findTenant(stack.db, tenant.id))!;
    const accounts = (await stack.emulator.control("GET", "accounts")).accounts as {
      sid: string;
      auth_token: string;
    }[];
    const authToken = accounts.find((a) => a.sid === tenant.subaccount_sid)!.auth_token;
    const keySecret = await stack.services.vault.read(stack.db, row.twilio_key_secret_id!);
    expect(await stack.services.vault.read(stack.db, row.subaccount_auth_token_secret_id!)).toBe(authToken);

    const dump = await dumpDatabase(stack.db);
    expect(dump).toContain(tenant.subaccount_sid); // the dump does contain the tenant's rows
    for (const secret of [authToken, keySecret, key, stack.adminToken]) {
      expect(secret.length).toBeGreaterThanOrEqual(16);
      for (const form of [
        secret,
        Buffer.from(secret).toString("base64"),
        Buffer.from(secret).toString("hex"),
      ]) {
        expect(dump).not.toContain(form);
      }
    }
    // Ciphertexts are versioned and name their master key.
    const { rows } = await stack.db.query<{ ciphertext: string; key_id: string }>(
      "SELECT ciphertext, key_id FROM secrets",
    );
    expect(rows.length).toBe(2);
    for (const r of rows)
      expect(r.ciphertext).toMatch(new RegExp(`^v1:${r.key_id}:[\\w-]+:[\\w-]+:[\\w-]+$`));
  });

  it("binds each ciphertext to its row: a ciphertext copied onto another secret does not decrypt", async () => {
    const { rows } = await stack.db.query<{ id: string; ciphertext: string }>(
      "SELECT id, ciphertext FROM secrets ORDER BY id",
    );
    expect(() => stack.services.vault.open(rows[0].ciphertext, rows[1].id)).toThrow();
    expect(stack.services.vault.open(rows[0].ciphertext, rows[0].id)).toEqual(expect.any(String));
  });
});

describe("rotate-master-key", () => {
  let test: TestDb;
  let dir: string;
  beforeAll(async () => {
    test = await openTestDb();
    await migrate(test.db);
    dir = mkdtempSync(join(tmpdir(), "subtext-vault-"));
  });
  afterAll(async () => {
    await test?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the key file on first start, readable by its owner only", () => {
    const ring = loadKeyring({ masterKeys: [], dataDir: dir });
    expect(ring.source).toBe("file");
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadKeyring({ masterKeys: [], dataDir: dir }).current.id).toBe(ring.current.id);
  });

  it("re-encrypts every secret under a new key in the key file, retires the old key, and everything still decrypts", async () => {
    const vault = new Vault(loadKeyring({ masterKeys: [], dataDir: dir }));
    const oldKeyId = vault.currentKeyId;
    const plaintexts = new Map<string, string>();
    for (let i = 0; i < 7; i++) {
      const value = `secret-${i}-${randomBytes(8).toString("hex")}`;
      plaintexts.set(await vault.store(test.db, "test", value), value);
    }
    const before = await test.db.query<{ id: string; ciphertext: string }>(
      "SELECT id, ciphertext FROM secrets",
    );

    const report = await rotateMasterKey(test.db, vault, 3);
    expect(report).toMatchObject({ reencrypted: 7, total: 7, retired: [oldKeyId] });
    expect(report.keyId).not.toBe(oldKeyId);

    const file = JSON.parse(readFileSync(join(dir, KEY_FILE), "utf8"));
    expect(file.keys.map((k: { id: string }) => k.id)).toEqual([report.keyId]);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);

    const after = await test.db.query<{ id: string; ciphertext: string; key_id: string }>(
      "SELECT * FROM secrets",
    );
    for (const row of after.rows) {
      expect(row.key_id).toBe(report.keyId);
      expect(row.ciphertext).not.toBe(before.rows.find((b) => b.id === row.id)!.ciphertext);
    }
    // A process started after the rotation reads every secret with the new file alone.
    const fresh = new Vault(loadKeyring({ masterKeys: [], dataDir: dir }));
    for (const [id, value] of plaintexts) expect(await fresh.read(test.db, id)).toBe(value);
    // A process that was running with the old key file picks the new one up.
    for (const [id, value] of plaintexts) expect(await vault.read(test.db, id)).toBe(value);
  });

  it("with SUBTEXT_MASTER_KEY=<new>,<old>, moves everything to the new key; the old key alone then fails clearly", async () => {
    await test.db.query("DELETE FROM secrets");
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const oldVault = new Vault(keyringFromKeys([oldKey]));
    const id = await oldVault.store(test.db, "test", "s3cret-value");

    const newOnly = new Vault(keyringFromKeys([newKey]));
    await expect(newOnly.read(test.db, id)).rejects.toThrow(/not in the keyring/);

    const both = new Vault(keyringFromKeys([newKey, oldKey]));
    const report = await rotateMasterKey(test.db, both);
    expect(report).toMatchObject({ keyId: keyIdOf(newKey), reencrypted: 1, retired: [keyIdOf(oldKey)] });
    expect(await newOnly.read(test.db, id)).toBe("s3cret-value");
    await expect(oldVault.read(test.db, id)).rejects.toThrow(/not in the keyring/);
  });
});
