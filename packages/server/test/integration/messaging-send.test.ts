import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceAndDispatch, dispatchAll, readyToSend } from "../support/messaging.js";
import { type Stack, eventually, startStack } from "./harness.js";

let stack: Stack;
let key: string;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const ready = await readyToSend(stack);
  key = ready.key;
  tenantId = ready.tenant.id;
});
afterAll(() => stack?.close());

let n = 0;
const recipient = () => `+1415600${String(1000 + n++).padStart(4, "0")}`;

async function statusOf(id: string) {
  return (await stack.api("GET", `/v1/messages/${id}`, { token: key })).body;
}

describe("sending a message", () => {
  it("estimates the price with the operator's price table", async () => {
    // Scheduled a day ahead and canceled at once: priced, never sent.
    const estimate = async () => {
      const sendAt = new Date(stack.clock.now().getTime() + 86_400_000).toISOString();
      const res = await stack.api("POST", "/v1/messages", {
        token: key,
        body: { to: recipient(), body: "x".repeat(200), send_at: sendAt },
      });
      expect(res.status).toBe(202);
      await stack.api("POST", `/v1/messages/${res.body.id}/cancel`, { token: key });
      return res.body.price_estimate;
    };
    expect(await estimate()).toEqual({ amount: "0.0166", currency: "USD" });
    await stack.api("PUT", "/v1/prices", {
      body: { prices: [{ channel: "sms", direction: "outbound", unit_price: "0.01" }] },
    });
    expect(await estimate()).toEqual({ amount: "0.02", currency: "USD" });
    await stack.api("PUT", "/v1/prices", {
      body: { prices: [{ channel: "sms", direction: "outbound", unit_price: null }] },
    });
    expect(await estimate()).toEqual({ amount: "0.0166", currency: "USD" });
  });

  it("accepts it with segments, encoding and a price estimate, then delivers it with a timeline", async () => {
    const to = recipient();
    const sent = await stack.api("POST", "/v1/messages", {
      token: key,
      body: { to, body: "Your order is ready ✅" },
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ status: "queued", to, segments: 1, encoding: "UCS-2" });
    expect(sent.body.id).toMatch(/^msg_/);
    expect(Number(sent.body.price_estimate.amount)).toBeGreaterThan(0);

    expect(await dispatchAll(stack)).toBe(1);
    const delivered = await eventually("delivered", async () => {
      const m = await statusOf(sent.body.id);
      return m.status === "delivered" && m;
    });
    expect(delivered.twilio_sid).toMatch(/^SM[0-9a-f]{32}$/);
    const names = delivered.events.filter((e: any) => e.type === "status").map((e: any) => e.name);
    expect(names[0]).toBe("queued");
    expect(names).toEqual(expect.arrayContaining(["sending", "sent", "delivered"]));
    const atTwilio = await stack.emulator.control("GET", `messages?to=${encodeURIComponent(to)}`);
    expect(atTwilio.messages).toHaveLength(1);
    expect(atTwilio.messages[0]).toMatchObject({ body: "Your order is ready ✅", status: "delivered" });
  });

  it("reports what smart encoding saves, and applies it when asked", async () => {
    const body = "It’s “ready” — come by…";
    const plain = await stack.api("POST", "/v1/messages", { token: key, body: { to: recipient(), body } });
    expect(plain.body).toMatchObject({
      encoding: "UCS-2",
      smart_encoding: { applied: false, segments_saved: 0 },
    });
    const long = "It’s ready. ".repeat(10);
    const off = await stack.api("POST", "/v1/messages", {
      token: key,
      body: { to: recipient(), body: long },
    });
    const on = await stack.api("POST", "/v1/messages", {
      token: key,
      body: { to: recipient(), body: long, smart_encoding: true },
    });
    expect(off.body).toMatchObject({
      encoding: "UCS-2",
      segments: 2,
      smart_encoding: { applied: false, segments_saved: 1 },
    });
    expect(on.body).toMatchObject({
      encoding: "GSM-7",
      segments: 1,
      smart_encoding: { applied: true, segments_saved: 1 },
    });
  });

  it("returns the same answer for a retried Idempotency-Key and never creates a second message", async () => {
    const to = recipient();
    const headers = { "idempotency-key": `order-${to}` };
    const first = await stack.api("POST", "/v1/messages", {
      token: key,
      headers,
      body: { to, body: "Once only" },
    });
    const again = await Promise.all(
      [1, 2, 3].map(() =>
        stack.api("POST", "/v1/messages", { token: key, headers, body: { to, body: "Once only" } }),
      ),
    );
    expect(first.status).toBe(202);
    for (const r of again) {
      expect(r.status).toBe(202);
      expect(r.body.id).toBe(first.body.id);
      expect(r.headers.get("idempotent-replayed")).toBe("true");
    }
    const conflict = await stack.api("POST", "/v1/messages", {
      token: key,
      headers,
      body: { to, body: "Something else" },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("idempotency_conflict");
    const listed = await stack.api("GET", `/v1/messages?to=${encodeURIComponent(to)}`, { token: key });
    expect(listed.body.data).toHaveLength(1);
  });

  it("refuses invalid recipients and bodies with the findings and Twilio's codes", async () => {
    const cases: [Record<string, unknown>, string, number][] = [
      [{ to: "4155550100", body: "hi" }, "phone_not_e164", 21211],
      [{ to: "+1415", body: "hi" }, "phone_invalid", 21211],
      [{ to: "+442071838750", body: "hi" }, "phone_cannot_receive_sms", 21614],
      [{ to: recipient(), body: "x".repeat(1601) }, "body_too_long", 21617],
      [{ to: recipient() }, "body_required", 21602],
    ];
    for (const [body, code, twilioCode] of cases) {
      const res = await stack.api("POST", "/v1/messages", { token: key, body });
      expect(res.status, code).toBe(422);
      expect(res.body.error).toMatchObject({ code, twilio_code: twilioCode });
      expect(res.body.error.details[0]).toMatchObject({ code });
    }
  });

  it("answers 404 for another tenant's message, exactly as for a missing one", async () => {
    const other = await stack.newTenant();
    const mine = await stack.api("POST", "/v1/messages", {
      token: key,
      body: { to: recipient(), body: "mine" },
    });
    for (const path of [`/v1/messages/${mine.body.id}`, "/v1/messages/msg_01JC0000000000000000000000"]) {
      const res = await stack.api("GET", path, { token: other.key });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    const cancel = await stack.api("POST", `/v1/messages/${mine.body.id}/cancel`, { token: other.key });
    expect(cancel.status).toBe(404);
    expect(tenantId).not.toBe(other.tenant.id);
  });

  it("keeps a tenant without an approved registration from sending, with the code and hint", async () => {
    const fresh = await stack.newTenant();
    const res = await stack.api("POST", "/v1/messages", {
      token: fresh.key,
      body: { to: recipient(), body: "hi" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("registration_required");
    expect(res.body.error.hint).toMatch(/registrations/);
  });

  it("schedules a message, and cancels a queued or scheduled one but not a sent one", async () => {
    const sendAt = new Date(stack.clock.now().getTime() + 3_600_000).toISOString();
    const scheduled = await stack.api("POST", "/v1/messages", {
      token: key,
      body: { to: recipient(), body: "later", send_at: sendAt },
    });
    expect(scheduled.body).toMatchObject({ status: "scheduled", send_at: sendAt });
    const canceled = await stack.api("POST", `/v1/messages/${scheduled.body.id}/cancel`, { token: key });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe("canceled");
    // The tenant hears of it, once: a second cancel changes nothing.
    expect((await stack.api("POST", `/v1/messages/${scheduled.body.id}/cancel`, { token: key })).status).toBe(
      409,
    );
    const events = await stack.api("GET", "/v1/events?type=message.canceled", { token: key });
    const mine = events.body.data.filter((e: any) => e.data.message.id === scheduled.body.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].data.message.status).toBe("canceled");

    const now = await stack.api("POST", "/v1/messages", {
      token: key,
      body: { to: recipient(), body: "now" },
    });
    // The lane sends 1 segment per second (sole proprietor): move time until it has gone.
    for (let i = 0; i < 120 && (await statusOf(now.body.id)).status === "queued"; i++)
      await advanceAndDispatch(stack, 1_000);
    const late = await stack.api("POST", `/v1/messages/${now.body.id}/cancel`, { token: key });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("not_cancelable");
  });

  it("lists messages newest first, filtered and paged by cursor", async () => {
    const to = recipient();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await stack.api("POST", "/v1/messages", { token: key, body: { to, body: `m${i}` } })).body.id,
      );
    }
    const page1 = await stack.api("GET", `/v1/messages?to=${encodeURIComponent(to)}&limit=3`, { token: key });
    expect(page1.body.data.map((m: any) => m.id)).toEqual(ids.slice(2).reverse());
    expect(page1.body.has_more).toBe(true);
    const page2 = await stack.api(
      "GET",
      `/v1/messages?to=${encodeURIComponent(to)}&limit=3&cursor=${page1.body.next_cursor}`,
      { token: key },
    );
    expect(page2.body.data.map((m: any) => m.id)).toEqual(ids.slice(0, 2).reverse());
    expect(page2.body.has_more).toBe(false);
    const queued = await stack.api("GET", "/v1/messages?status=canceled", { token: key });
    expect(queued.body.data.every((m: any) => m.status === "canceled")).toBe(true);
  });

  it("stores a batch, reporting invalid items and accepting valid ones", async () => {
    const to = recipient();
    const messages = [
      { to, body: "first" },
      { to: "not-a-number", body: "bad" },
      { to: recipient(), body: "third", metadata: { order: 3 } },
      { to: recipient(), body: "x", unknown_field: 1 },
      { to: recipient(), body: "y".repeat(2000) },
    ];
    const res = await stack.api("POST", "/v1/messages/batch", {
      token: key,
      body: { messages },
      headers: { "idempotency-key": `batch-${to}` },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 3 });
    expect(res.body.results.map((r: any) => [r.index, r.accepted, r.error?.code ?? r.status])).toEqual([
      [0, true, "queued"],
      [1, false, "phone_not_e164"],
      [2, true, "queued"],
      [3, false, "invalid_request"],
      [4, false, "body_too_long"],
    ]);
    const retried = await stack.api("POST", "/v1/messages/batch", {
      token: key,
      body: { messages },
      headers: { "idempotency-key": `batch-${to}` },
    });
    expect(retried.body.results[0]).toMatchObject({ id: res.body.results[0].id, replayed: true });
    expect(retried.body.results[2]).toMatchObject({ id: res.body.results[2].id, replayed: true });
    const third = await statusOf(res.body.results[2].id);
    expect(third.metadata).toEqual({ order: 3 });
  });

  it("accepts a batch of 10,000 messages in one request", { timeout: 120_000 }, async () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      to: `+1415700${String(i).padStart(4, "0")}`,
      body: `Batch message ${i}`,
    }));
    const res = await stack.api("POST", "/v1/messages/batch", { token: key, body: { messages } });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(10_000);
    const lanes = await stack.api("GET", "/v1/lanes", { token: key });
    expect(lanes.body.data[0].queued).toBeGreaterThanOrEqual(10_000);
  });
});
