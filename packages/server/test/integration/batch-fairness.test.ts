/**
 * A large batch does not starve other tenants: it is stored in chunks, each its own short
 * transaction, so another tenant's send gets the database between two chunks (on PGlite, one
 * connection, it would otherwise wait for the whole batch). And chunking keeps the batch's
 * promises: each chunk is durable once committed, and a retried batch with the same key
 * answers with the same messages, storing none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToSend } from "../support/messaging.js";
import { BATCH_CHUNK } from "../../src/messaging/send/send.js";
import { type Stack, eventually, startStack } from "./harness.js";

let stack: Stack;
let a: { tenant: any; key: string };
let b: { tenant: any; key: string };

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  a = await readyToSend(stack);
  b = await readyToSend(stack);
});
afterAll(() => stack?.close());

async function stored(tenantId: string): Promise<number> {
  const row = await stack.db.one<{ n: number }>(
    "SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1",
    [tenantId],
  );
  return row.n;
}

describe("a large batch and another tenant's send", () => {
  it("lets tenant B's send complete while tenant A's 10,000-message batch is still being stored", {
    timeout: 180_000,
  }, async () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      to: `+1415710${String(i).padStart(4, "0")}`,
      body: `Campaign message ${i}`,
    }));
    const finished: string[] = [];
    const batch = stack
      .api("POST", "/v1/messages/batch", {
        token: a.key,
        body: { messages },
        headers: { "idempotency-key": "fairness-campaign" },
      })
      .then((res) => {
        finished.push("A");
        return res;
      });
    // The batch is under way once its first messages are stored.
    await eventually("A's batch has started storing", async () => (await stored(a.tenant.id)) > 0, {
      tries: 4_000,
      intervalMs: 5,
    });
    const single = await stack.api("POST", "/v1/messages", {
      token: b.key,
      body: { to: "+14157209999", body: "Your table is ready" },
    });
    finished.push("B");
    const aStoredWhenBWasDone = await stored(a.tenant.id);
    const aRes = await batch;

    expect(single.status).toBe(202);
    expect(aRes.status).toBe(202);
    expect(aRes.body.accepted).toBe(10_000);
    expect(finished).toEqual(["B", "A"]);
    expect(aStoredWhenBWasDone).toBeLessThan(10_000);
  });

  it("keeps each committed chunk and replays it on a retry with the same key, storing nothing twice", async () => {
    const count = BATCH_CHUNK * 2 + 7;
    const messages = Array.from({ length: count }, (_, i) => ({
      to: `+1415730${String(i).padStart(4, "0")}`,
      body: i === BATCH_CHUNK + 3 ? "fault here" : `Retry message ${i}`,
    }));
    // A real database fault in the second chunk: a trigger refuses one of its rows.
    await stack.db.exec(`
      CREATE FUNCTION refuse_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.body = 'fault here' THEN RAISE EXCEPTION 'injected fault'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_fault BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_fault();
    `);
    const before = await stored(b.tenant.id);
    const failed = await stack.api("POST", "/v1/messages/batch", {
      token: b.key,
      body: { messages },
      headers: { "idempotency-key": "chunk-retry" },
    });
    expect(failed.status).toBe(500);
    // The first chunk was committed before the fault and is kept.
    expect((await stored(b.tenant.id)) - before).toBe(BATCH_CHUNK);
    const firstIds = await stack.db.query<{ idempotency_key: string; id: string }>(
      "SELECT idempotency_key, id FROM messages WHERE tenant_id = $1 AND idempotency_key LIKE 'chunk-retry:%'",
      [b.tenant.id],
    );
    await stack.db.exec("DROP TRIGGER refuse_fault ON messages; DROP FUNCTION refuse_fault();");

    const retried = await stack.api("POST", "/v1/messages/batch", {
      token: b.key,
      body: { messages },
      headers: { "idempotency-key": "chunk-retry" },
    });
    expect(retried.status).toBe(202);
    expect(retried.body.accepted).toBe(count);
    expect((await stored(b.tenant.id)) - before).toBe(count);
    const byKey = new Map(firstIds.rows.map((r) => [r.idempotency_key, r.id]));
    for (const r of retried.body.results) {
      const first = byKey.get(`chunk-retry:${r.index}`);
      expect(r.replayed).toBe(first !== undefined);
      if (first) expect(r.id).toBe(first);
    }
    // A third try answers every item with the message stored for it.
    const again = await stack.api("POST", "/v1/messages/batch", {
      token: b.key,
      body: { messages },
      headers: { "idempotency-key": "chunk-retry" },
    });
    expect(again.body.results.map((r: any) => r.id)).toEqual(retried.body.results.map((r: any) => r.id));
    expect(again.body.results.every((r: any) => r.replayed)).toBe(true);
    expect((await stored(b.tenant.id)) - before).toBe(count);
  });
});
