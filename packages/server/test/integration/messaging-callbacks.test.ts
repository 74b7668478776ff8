import { randomBytes } from "node:crypto";
import { twilioSignature } from "subtext-emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { driveUntil, readyToSend } from "../support/messaging.js";
import { type Stack, eventually, startStack } from "./harness.js";

let stack: Stack;
let key: string;
let tenant: any;
let authToken: string;
let ourNumber: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const ready = await readyToSend(stack);
  key = ready.key;
  tenant = ready.tenant;
  ourNumber = ready.profile.senders[0].phoneNumber;
  const { accounts } = await stack.emulator.control("GET", "accounts");
  authToken = accounts.find((a: any) => a.sid === tenant.subaccount_sid).auth_token;
}, 120_000);
afterAll(() => stack?.close());
afterEach(() => stack.emulator.control("DELETE", "faults"));

let n = 0;
const recipient = () => `+1415620${String(1000 + n++).padStart(4, "0")}`;
const message = async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: key })).body;

/** Posts a status callback as Twilio would, signed with `token` over the exact URL. */
async function callback(path: string, params: Record<string, string>, token = authToken) {
  const url = `${stack.url}${path}`;
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(token, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

async function sendAndDispatch(to: string) {
  const id = (await stack.api("POST", "/v1/messages", { token: key, body: { to, body: "hello" } })).body.id;
  return driveUntil(stack, "handed to Twilio", async () => {
    const m = await message(id);
    return m.twilio_sid && m;
  });
}

const statusParams = (m: any, status: string, extra: Record<string, string> = {}) => ({
  AccountSid: tenant.subaccount_sid,
  ApiVersion: "2010-04-01",
  MessageSid: m.twilio_sid,
  SmsSid: m.twilio_sid,
  MessageStatus: status,
  SmsStatus: status,
  To: m.to,
  ...extra,
});

describe("status callbacks", () => {
  it("refuses a forged or wrongly signed callback with 403 and changes nothing", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const m = await sendAndDispatch(recipient());
    const path = `/twilio/messages/status/${tenant.id}`;
    const forged = await callback(path, statusParams(m, "delivered"), "not-the-token");
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as any).error.code).toBe("invalid_signature");
    const unsigned = await fetch(`${stack.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(statusParams(m, "delivered")).toString(),
    });
    expect(unsigned.status).toBe(403);
    const other = await stack.newTenant();
    const elsewhere = await callback(
      `/twilio/messages/status/${other.tenant.id}`,
      statusParams(m, "delivered"),
    );
    expect(elsewhere.status).toBe(403);
    expect((await message(m.id)).status).toBe("sending");
  });

  it("applies callbacks forward only: reordered and replayed ones never move a message back", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const m = await sendAndDispatch(recipient());
    const path = `/twilio/messages/status/${tenant.id}`;
    for (const status of ["delivered", "sent", "queued", "delivered", "sent"]) {
      expect((await callback(path, statusParams(m, status))).status).toBe(204);
    }
    const after = await message(m.id);
    expect(after.status).toBe("delivered");
    const statuses = after.events.filter((e: any) => e.type === "status").map((e: any) => e.name);
    expect(statuses.filter((s: string) => s === "delivered")).toHaveLength(1);
    expect(statuses.filter((s: string) => s === "sent")).toHaveLength(1);
    const undelivered = await callback(path, statusParams(m, "undelivered", { ErrorCode: "30003" }));
    expect(undelivered.status).toBe(204);
    expect((await message(m.id)).status).toBe("delivered");
    const { rows } = await stack.db.query(
      "SELECT count(*)::int AS n FROM events WHERE type = 'message.delivered' AND data->'message'->>'id' = $1",
      [m.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it("drops an error code outside Twilio's five digits (it fits no column): the status still applies", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const path = `/twilio/messages/status/${tenant.id}`;
    for (const code of [2 ** 31, 2 ** 53, -1, 999]) {
      const m = await sendAndDispatch(recipient());
      const res = await callback(path, statusParams(m, "undelivered", { ErrorCode: String(code) }));
      expect(res.status, `ErrorCode ${code}`).toBe(204);
      const after = await message(m.id);
      expect(after.status).toBe("undelivered");
      expect(after.error?.twilio_code ?? null, `ErrorCode ${code}`).toBeNull();
    }
  });

  it("accepts the emulator's real, signed callbacks through the public URL with our marker", async () => {
    const m = await sendAndDispatch(recipient());
    const delivered = await eventually("delivered", async () => {
      const v = await message(m.id);
      return v.status === "delivered" && v;
    });
    expect(delivered.completed_at).not.toBeNull();
  });

  it("shows the number Twilio chose from the Messaging Service: in the API, the from filter and the webhooks", async () => {
    const to = recipient();
    const m = await sendAndDispatch(to);
    // Twilio answers a Messaging Service send before it picks the sender (from: null).
    expect(m.messaging_service_id).toMatch(/^MG/);
    const delivered = await eventually("delivered", async () => {
      const v = await message(m.id);
      return v.status === "delivered" && v;
    });
    expect(delivered.from).toBe(ourNumber);
    const list = await stack.api(
      "GET",
      `/v1/messages?from=${encodeURIComponent(ourNumber)}&to=${encodeURIComponent(to)}`,
      {
        token: key,
      },
    );
    expect(list.body.data.map((x: any) => x.id)).toEqual([m.id]);
    const { rows } = await stack.db.query<{ type: string; from: string | null }>(
      `SELECT type, data->'message'->>'from' AS from FROM events
       WHERE type IN ('message.sent', 'message.delivered') AND data->'message'->>'id' = $1 ORDER BY type DESC`,
      [m.id],
    );
    expect(rows).toEqual([
      { type: "message.sent", from: ourNumber },
      { type: "message.delivered", from: ourNumber },
    ]);
  });

  it("answers the price estimate as one canonical decimal string: create, read, list and webhooks", async () => {
    const to = recipient();
    const created = await stack.api("POST", "/v1/messages", { token: key, body: { to, body: "hello" } });
    expect(created.status).toBe(202);
    const estimate = created.body.price_estimate;
    // The default SMS list price for one segment, as fromMicros writes it.
    expect(estimate).toEqual({ amount: "0.0083", currency: "USD" });
    await driveUntil(stack, "delivered", async () => (await message(created.body.id)).status === "delivered");
    expect((await message(created.body.id)).price_estimate).toEqual(estimate);
    const list = await stack.api("GET", `/v1/messages?to=${encodeURIComponent(to)}`, { token: key });
    expect(list.body.data.map((m: any) => m.price_estimate)).toEqual([estimate]);
    const { rows } = await stack.db.query<{ type: string; estimate: unknown }>(
      `SELECT type, data->'message'->'price_estimate' AS estimate FROM events
       WHERE type LIKE 'message.%' AND data->'message'->>'id' = $1 ORDER BY type`,
      [created.body.id],
    );
    expect(rows.map((r) => r.type)).toEqual(["message.delivered", "message.queued", "message.sent"]);
    for (const r of rows) expect(r.estimate, r.type).toEqual(estimate);
  });

  it("keeps the first sender a callback names: a later callback's From never replaces it", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const m = await sendAndDispatch(recipient());
    expect(m.from).toBeNull();
    const path = `/twilio/messages/status/${tenant.id}`;
    expect((await callback(path, statusParams(m, "sent", { From: ourNumber }))).status).toBe(204);
    expect((await message(m.id)).from).toBe(ourNumber);
    expect((await callback(path, statusParams(m, "delivered", { From: "+14155559999" }))).status).toBe(204);
    expect(await message(m.id)).toMatchObject({ status: "delivered", from: ourNumber });
  });
});

describe("inbound messages", () => {
  it("stores an inbound message with its media and answers empty TwiML", async () => {
    const handset = recipient();
    const res = await stack.emulator.control("POST", `handsets/${encodeURIComponent(handset)}/messages`, {
      to: ourNumber,
      body: "Here is the photo",
      media_urls: ["https://example.com/photo.jpg"],
    });
    expect(res.webhook.status).toBe(200);
    expect(res.replies).toHaveLength(0);
    const list = await stack.api("GET", `/v1/messages?from=${encodeURIComponent(handset)}`, { token: key });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      direction: "inbound",
      status: "received",
      body: "Here is the photo",
      media_urls: ["https://example.com/photo.jpg"],
      channel: "mms",
    });
  });

  it("ignores a second delivery of the same inbound message (Twilio retries webhooks)", async () => {
    const handset = recipient();
    const params = {
      AccountSid: tenant.subaccount_sid,
      MessageSid: "SM0123456789abcdef0123456789abcdef",
      From: handset,
      To: ourNumber,
      Body: "twice",
      NumMedia: "0",
    };
    const path = `/twilio/messages/inbound/${tenant.id}`;
    expect((await callback(path, params)).status).toBe(200);
    expect((await callback(path, params)).status).toBe(200);
    const list = await stack.api("GET", `/v1/messages?from=${encodeURIComponent(handset)}`, { token: key });
    expect(list.body.data).toHaveLength(1);
  });

  const inbound = (handset: string, extra: Record<string, string>) => ({
    AccountSid: tenant.subaccount_sid,
    MessageSid: `SM${randomBytes(16).toString("hex")}`,
    From: handset,
    To: ourNumber,
    NumMedia: "0",
    ...extra,
  });
  const received = async (handset: string) =>
    (await stack.api("GET", `/v1/messages?from=${encodeURIComponent(handset)}`, { token: key })).body.data;

  it("stores a body over Twilio's 1,600 characters cut to 1,600 with a marker, and still answers 200", async () => {
    const path = `/twilio/messages/inbound/${tenant.id}`;
    // Emoji are two UTF-16 units each: the cut must fall between characters, never inside one.
    const handset = recipient();
    const long = await callback(path, inbound(handset, { Body: "😀".repeat(5_000) }));
    expect(long.status).toBe(200);
    expect(await long.text()).toContain("<Response/>");
    const [stored] = await received(handset);
    expect([...stored.body]).toHaveLength(1_600);
    expect(stored.body).toBe(`${"😀".repeat(1_600 - 12)} [truncated]`);
    expect(stored.body.isWellFormed()).toBe(true);

    const exact = recipient();
    const body = "a".repeat(1_600);
    expect((await callback(path, inbound(exact, { Body: body }))).status).toBe(200);
    expect((await received(exact))[0].body).toBe(body);
  });

  it("leaves out media URLs over 2,048 characters and stores nothing with an impossibly long address", async () => {
    const path = `/twilio/messages/inbound/${tenant.id}`;
    const handset = recipient();
    const huge = `https://example.com/${"x".repeat(3_000)}`;
    const media = inbound(handset, {
      Body: "photos",
      NumMedia: "2",
      MediaUrl0: huge,
      MediaUrl1: "https://example.com/ok.jpg",
    });
    expect((await callback(path, media)).status).toBe(200);
    expect((await received(handset))[0].media_urls).toEqual(["https://example.com/ok.jpg"]);

    const bogus = `+1${"5".repeat(200)}`;
    const res = await callback(path, inbound(bogus, { Body: "hi" }));
    expect(res.status).toBe(200);
    const { rows } = await stack.db.query("SELECT count(*)::int AS n FROM messages WHERE from_number = $1", [
      bogus,
    ]);
    expect(rows[0].n).toBe(0);
  });
});
