import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: Awaited<ReturnType<Stack["newTenant"]>>;
let b: Awaited<ReturnType<Stack["newTenant"]>>;

beforeAll(async () => {
  stack = await startStack();
  a = await stack.newTenant({ name: "Acme Login" });
  b = await stack.newTenant({ name: "Bolt Auth" });
}, 120_000);
afterAll(() => stack?.close());

/** What the emulated handset received: Verify's code for the latest verification to `to`. */
async function delivered(
  to: string,
): Promise<{ code: string; channel: string; send_attempts: number; status: string }> {
  const { verifications } = await stack.emulator.control(
    "GET",
    `verify/verifications?to=${encodeURIComponent(to)}`,
  );
  return verifications[0];
}

const start = (key: string, body: Record<string, unknown>) =>
  stack.api("POST", "/v1/verify/verifications", { token: key, body: { channel: "sms", ...body } });
const check = (key: string, to: string, code: string) =>
  stack.api("POST", "/v1/verify/checks", { token: key, body: { to, code } });
const wrongCode = (code: string) => (code === "000000" ? "111111" : "000000");

async function events(key: string, type: string) {
  const res = await stack.api("GET", `/v1/events?type=${type}`, { token: key });
  return res.body.data as { type: string; data: Record<string, any> }[];
}

describe("Verify: one-time codes", () => {
  it("sends a code by SMS, refuses a wrong code, approves the right one, and never stores the code", async () => {
    const to = "+14155550301";
    const started = await start(a.key, { to, locale: "en" });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      to,
      channel: "sms",
      status: "pending",
      sends: [{ channel: "sms", reason: "requested" }],
    });
    expect(started.body.twilio_sid).toMatch(/^VE[0-9a-f]{32}$/);
    const { code } = await delivered(to);

    const wrong = await check(a.key, to, wrongCode(code));
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ verification_id: started.body.id, valid: false, status: "pending" });
    const right = await check(a.key, "+1 (415) 555-0301", code);
    expect(right.body).toMatchObject({ verification_id: started.body.id, valid: true, status: "approved" });

    const read = await stack.api("GET", `/v1/verify/verifications/${started.body.id}`, { token: a.key });
    expect(read.body).toMatchObject({ status: "approved", check_attempts: 1 });
    const approved = await events(a.key, "verification.approved");
    expect(approved.map((e) => e.data.verification_id)).toContain(started.body.id);
    const { rows } = await stack.db.query("SELECT * FROM verifications");
    expect(JSON.stringify(rows)).not.toContain(code);
    const usage = await stack.db.one<{ n: number }>(
      "SELECT COALESCE(SUM(messages), 0)::int AS n FROM usage_daily WHERE tenant_id = $1 AND channel = 'verify'",
      [a.tenant.id],
    );
    expect(usage.n).toBe(1);
    // Approved means done: a second check finds nothing pending.
    expect((await check(a.key, to, code)).body.error.code).toBe("verification_not_found");
  });

  it("throttles a destination with our own limit (429 + Retry-After), and lets it through once that time has passed", async () => {
    const settings = await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { limits: { per_destination: { max: 2, window_seconds: 600 } } },
    });
    expect(settings.body.limits.per_destination).toEqual({ max: 2, window_seconds: 600 });
    const to = "+14155550302";
    expect((await start(a.key, { to })).status).toBe(201);
    expect((await start(a.key, { to })).status).toBe(201);
    const refused = await start(a.key, { to });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "verification_rate_limited",
      details: [{ scope: "destination", max: 2 }],
    });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    // The refusal itself is not counted: the wait does not grow while a client keeps asking.
    const again = await start(a.key, { to });
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(retryAfter);
    expect((await delivered(to)).send_attempts).toBe(2);

    stack.clock.advance(retryAfter * 1000);
    expect((await start(a.key, { to })).status).toBe(201);
    await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { limits: { per_destination: { max: 5 } } },
    });
  });

  it("answers Retry-After with the true time left in the window: never more than the window", async () => {
    const t = await stack.newTenant({ name: "Burst Login" });
    const w = 600_000;
    // 98 seconds into a fixed window of the limiter, then five starts at once.
    stack.clock.advance(w - (stack.clock.now().getTime() % w) + 98_000);
    const to = "+14155550309";
    for (let i = 0; i < 5; i++) expect((await start(t.key, { to, fallback: false })).status).toBe(201);
    const refused = await start(t.key, { to, fallback: false });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("verification_rate_limited");
    // The five leave the 600-second window 600 seconds from now, all at once.
    expect(refused.headers.get("retry-after")).toBe("600");
    expect(refused.body.error.details[0]).toMatchObject({ window_seconds: 600, retry_after_seconds: 600 });

    stack.clock.advance(599_000);
    const early = await start(t.key, { to, fallback: false });
    expect(early.status).toBe(429);
    expect(early.headers.get("retry-after")).toBe("1");
    stack.clock.advance(1_000);
    // Twilio (the emulator) has meanwhile forgotten the verification those five sends were for.
    await stack.emulator.control("POST", "clock/advance", { seconds: 600 });
    expect((await start(t.key, { to, fallback: false })).status).toBe(201);
  });

  it("throttles one client IP across destinations, counting in the database", async () => {
    await stack.api("PUT", "/v1/verify/settings", {
      token: b.key,
      body: { limits: { per_ip: { max: 2, window_seconds: 3600 } } },
    });
    const ip = "203.0.113.7";
    expect((await start(b.key, { to: "+14155550311", client_ip: ip })).status).toBe(201);
    expect((await start(b.key, { to: "+14155550312", client_ip: ip })).status).toBe(201);
    const third = await start(b.key, { to: "+14155550313", client_ip: ip });
    expect(third.status).toBe(429);
    expect(third.body.error.details[0].scope).toBe("ip");
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await start(b.key, { to: "+14155550313", client_ip: "203.0.113.8" })).status).toBe(201);
    const counters = await stack.db.query("SELECT key FROM verify_rate_counters WHERE key LIKE 'ip:%'");
    expect(counters.rows.length).toBeGreaterThan(0);
  });

  it("throttles a tenant as a whole across destinations and IPs", async () => {
    // B has started three verifications so far (the refused one did not count).
    await stack.api("PUT", "/v1/verify/settings", {
      token: b.key,
      body: { limits: { per_tenant: { max: 4, window_seconds: 3600 } } },
    });
    expect((await start(b.key, { to: "+14155550314", client_ip: "198.51.100.1" })).status).toBe(201);
    const fifth = await start(b.key, { to: "+14155550315", client_ip: "198.51.100.2" });
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.details[0]).toMatchObject({ scope: "tenant", max: 4, window_seconds: 3600 });
    // Another tenant is not affected.
    expect((await start(a.key, { to: "+14155550315" })).status).toBe(201);
    await stack.api("PUT", "/v1/verify/settings", {
      token: b.key,
      body: { limits: { per_tenant: { max: 1000 } } },
    });
  });

  it("maps Verify's own limits: the sixth send answers 60203, the sixth check after five wrong ones 60202", async () => {
    await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { limits: { per_destination: { max: 50 } } },
    });
    const to = "+14155550303";
    for (let i = 0; i < 5; i++) expect((await start(a.key, { to, fallback: false })).status).toBe(201);
    const sixth = await start(a.key, { to, fallback: false });
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toMatchObject({ code: "verification_max_send_attempts", twilio_code: 60203 });
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);

    const { code } = await delivered(to);
    for (let i = 0; i < 5; i++) expect((await check(a.key, to, wrongCode(code))).body.valid).toBe(false);
    const locked = await check(a.key, to, code);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ code: "verification_max_check_attempts", twilio_code: 60202 });
    const failed = await events(a.key, "verification.failed");
    expect(failed.find((e) => e.data.to === to)?.data).toMatchObject({
      reason: "max_check_attempts",
      twilio_code: 60202,
    });
  });

  it("falls back to a call at once when SMS cannot reach a landline, and reports 60205 when fallback is off", async () => {
    const to = "+14155550304";
    await stack.emulator.control("PUT", `carriers/${encodeURIComponent(to)}`, { line_type: "landline" });
    const off = await start(a.key, { to, fallback: false });
    expect(off.status).toBe(422);
    expect(off.body.error).toMatchObject({ code: "verification_sms_to_landline", twilio_code: 60205 });
    const on = await start(a.key, { to });
    expect(on.status).toBe(201);
    expect(on.body).toMatchObject({
      channel: "call",
      sends: [{ channel: "call", reason: "fallback" }],
      fallback: { channel: "call" },
    });
    expect((await delivered(to)).channel).toBe("call");
  });

  it("calls with the same code when the SMS code is not checked within the configured wait (a durable timer)", async () => {
    await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { fallback: { enabled: true, after_seconds: 45 } },
    });
    const to = "+14155550305";
    const started = await start(a.key, { to });
    stack.clock.advance(44_000);
    await stack.jobs.runDue();
    expect(
      (await stack.api("GET", `/v1/verify/verifications/${started.body.id}`, { token: a.key })).body.fallback,
    ).toBeNull();
    stack.clock.advance(2_000);
    await stack.jobs.runDue();
    const after = await stack.api("GET", `/v1/verify/verifications/${started.body.id}`, { token: a.key });
    expect(after.body).toMatchObject({ channel: "call", fallback: { channel: "call" } });
    expect(after.body.sends.map((s: { reason: string }) => s.reason)).toEqual(["requested", "fallback"]);
    const handset = await delivered(to);
    expect(handset).toMatchObject({ channel: "call", send_attempts: 2 });
    expect((await check(a.key, to, handset.code)).body.valid).toBe(true);
  });

  it("answers 422 when the tenant's service has the channel switched off (60223)", async () => {
    const { service_sid } = await stack.db.one<{ service_sid: string }>(
      "SELECT service_sid FROM verify_services WHERE tenant_id = $1",
      [a.tenant.id],
    );
    await stack.emulator.control("PUT", `verify/services/${service_sid}/channels`, { whatsapp: false });
    const res = await stack.api("POST", "/v1/verify/verifications", {
      token: a.key,
      body: { to: "+14155550306", channel: "whatsapp" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "verification_channel_disabled", twilio_code: 60223 });
  });

  it("expires a verification after ten minutes with verification.failed; its code is then refused", async () => {
    const to = "+14155550307";
    const started = await start(a.key, { to, fallback: false });
    const { code } = await delivered(to);
    stack.clock.advance(10 * 60_000 + 1_000);
    await stack.jobs.runDue();
    const read = await stack.api("GET", `/v1/verify/verifications/${started.body.id}`, { token: a.key });
    expect(read.body).toMatchObject({ status: "expired", failure_reason: "expired" });
    const failed = await events(a.key, "verification.failed");
    expect(failed.find((e) => e.data.verification_id === started.body.id)?.data.reason).toBe("expired");
    expect((await check(a.key, to, code)).status).toBe(404);
  });

  it("keeps each tenant's verifications to itself", async () => {
    const to = "+14155550308";
    const mine = await start(b.key, { to });
    const { code } = await delivered(to);
    const read = await stack.api("GET", `/v1/verify/verifications/${mine.body.id}`, { token: a.key });
    expect(read.status).toBe(404);
    expect((await check(a.key, to, code)).status).toBe(404);
    const listed = await stack.api("GET", "/v1/verify/verifications", { token: a.key });
    expect(listed.body.data.map((v: { id: string }) => v.id)).not.toContain(mine.body.id);
    expect((await check(b.key, to, code)).body.valid).toBe(true);
  });
});
