/**
 * What the send path keeps in memory (a key's owner, a tenant's sending profile, settings,
 * prices) follows every change to it: at once in the process that made the change, and, on
 * PostgreSQL, in every other process through the change feed (NOTIFY at commit) — even when the
 * change is made by hand in SQL, and even after the listening connection was lost.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/db/postgres.js";
import { readyToSend } from "../support/messaging.js";
import { createLogger } from "../../src/kernel/logger.js";
import { type Runtime, openRuntime } from "../../src/app/runtime.js";
import { type RunningServer, startServer } from "../../src/app/server.js";
import { keyringFromKeys } from "../../src/vault/keyring.js";
import { ENGINE, type Stack, TEST_DATABASE_URL, eventually, startStack } from "./harness.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
});
afterAll(() => stack?.close());

let n = 0;
const send = (base: string, key: string) =>
  fetch(`${base}/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ to: `+1415741${String(n++).padStart(4, "0")}`, body: "Your table is ready" }),
  });
const read = (base: string, key: string) =>
  fetch(`${base}/v1/messages?limit=1`, { headers: { authorization: `Bearer ${key}` } });

describe("in the process that made the change", () => {
  it("refuses a revoked key on the very next request", async () => {
    const { tenant, key, keyId } = await stack.newTenant();
    expect((await read(stack.url, key)).status).toBe(200);
    const revoked = await stack.api("DELETE", `/v1/tenants/${tenant.id}/api-keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect((await read(stack.url, key)).status).toBe(401);
  });

  it("refuses a suspended tenant's key on the very next request, and takes it back when reactivated", async () => {
    const { tenant, key } = await stack.newTenant();
    expect((await read(stack.url, key)).status).toBe(200);
    await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "suspended" } });
    expect((await read(stack.url, key)).status).toBe(403);
    await stack.api("PATCH", `/v1/tenants/${tenant.id}`, { body: { status: "active" } });
    expect((await read(stack.url, key)).status).toBe(200);
  });

  it("closes the gate when a registration is changed behind its back, by hand in SQL", async () => {
    const { tenant, key } = await readyToSend(stack);
    expect((await send(stack.url, key)).status).toBe(202);
    await stack.db.query("UPDATE registrations SET state = 'suspended' WHERE tenant_id = $1", [tenant.id]);
    // The table announces its change; this process hears its own notification.
    const refused = await eventually("the gate to close", async () => {
      const res = await send(stack.url, key);
      return res.status === 202 ? null : res;
    });
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("registration_suspended");
  });
});

// PostgreSQL only (the server-postgres project): PGlite serves one process.
if (ENGINE === "postgres")
  describe("in another process on the same PostgreSQL", () => {
    let runtime: Runtime;
    let second: RunningServer;
    let db: Awaited<ReturnType<typeof openPostgres>>;

    beforeAll(async () => {
      db = await openPostgres(TEST_DATABASE_URL, { schema: stack.testDb.schema!, max: 3 });
      runtime = await openRuntime({
        config: stack.services.config,
        db,
        clock: stack.clock,
        log: createLogger("silent"),
        keyring: keyringFromKeys([randomBytes(32)]),
        emulator: {
          url: stack.emulator.url,
          parent: { accountSid: stack.emulator.parent.sid, authToken: stack.emulator.parent.authToken },
        },
      });
      second = await startServer(runtime, "api");
    });
    afterAll(async () => {
      await second?.close();
      await runtime?.close();
      await db?.close();
    });

    it("hears of a revoked key and a suspended tenant from the change feed", async () => {
      const one = await stack.newTenant();
      const two = await stack.newTenant();
      expect((await read(second.url!, one.key)).status).toBe(200);
      expect((await read(second.url!, two.key)).status).toBe(200);
      await stack.api("DELETE", `/v1/tenants/${one.tenant.id}/api-keys/${one.keyId}`);
      await stack.api("PATCH", `/v1/tenants/${two.tenant.id}`, { body: { status: "suspended" } });
      await eventually("the other process to refuse the revoked key", async () =>
        (await read(second.url!, one.key)).status === 401 ? true : null,
      );
      await eventually("the other process to refuse the suspended tenant", async () =>
        (await read(second.url!, two.key)).status === 403 ? true : null,
      );
    });

    it("hears of a registration changed by hand in SQL", async () => {
      const { tenant, key } = await readyToSend(stack);
      expect((await send(second.url!, key)).status).toBe(202);
      await stack.db.query("UPDATE registrations SET state = 'suspended' WHERE tenant_id = $1", [tenant.id]);
      await eventually("the other process to close the gate", async () =>
        (await send(second.url!, key)).status === 202 ? null : true,
      );
    });

    it("forgets everything when its listening connection was lost, so a change made meanwhile is not missed", async () => {
      const { key, keyId } = await stack.newTenant();
      expect((await read(second.url!, key)).status).toBe(200);
      const channel = `subtext_changes_${stack.testDb.schema}`;
      const listeners = () =>
        stack.db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE query = $1", [
          `LISTEN "${channel}"`,
        ]);
      const before = (await listeners()).rows.map((r) => r.pid);
      expect(before.length).toBe(2);
      // Cut both processes' listening connections.
      await stack.db.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [before]);
      // The key is revoked while nobody listens (by hand: no process is told directly).
      await stack.db.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [keyId]);
      await eventually(
        "both listening connections to come back",
        async () => {
          const now = (await listeners()).rows.map((r) => r.pid);
          return now.length === 2 && !now.some((pid) => before.includes(pid)) ? true : null;
        },
        { tries: 400, intervalMs: 25 },
      );
      expect((await read(second.url!, key)).status).toBe(401);
    });
  });
