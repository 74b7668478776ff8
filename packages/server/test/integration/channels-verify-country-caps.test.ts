/**
 * Per-country caps on Verify (docs/channels.md, docs/international.md): each tenant's
 * verifications per destination country over a sliding day, its declared countries at their
 * caps, any other country at a low one, high-risk ranges (satellite, international networks)
 * refused by default; 429 `verify_country_cap` with a hint, nothing counted or stored when
 * refused; the caps read and changed with the Verify settings. Over HTTP against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: Awaited<ReturnType<Stack["newTenant"]>>;
let b: Awaited<ReturnType<Stack["newTenant"]>>;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  a = await stack.newTenant({ name: "Acme Signup" });
  b = await stack.newTenant({ name: "Bolt Signup" });
}, 120_000);
afterAll(() => stack?.close());

const start = (key: string, to: string) =>
  stack.api("POST", "/v1/verify/verifications", { token: key, body: { to, channel: "sms" } });
const french = (n: number) => `+336123456${String(n).padStart(2, "0")}`;
const stored = async (tenantId: string) =>
  (
    await stack.db.one<{ n: number }>("SELECT count(*)::int AS n FROM verifications WHERE tenant_id = $1", [
      tenantId,
    ])
  ).n;

describe("Verify: per-country caps", () => {
  it("shows the default caps with the other Verify settings", async () => {
    const res = await stack.api("GET", "/v1/verify/settings", { token: a.key });
    expect(res.status).toBe(200);
    expect(res.body.country_caps).toEqual({
      window_seconds: 86_400,
      countries: { CA: 1000, US: 1000 },
      other_countries: 20,
      high_risk: 0,
    });
  });

  it("caps a country the tenant has not declared, lets it through once declared, and leaves other tenants alone", async () => {
    const lowered = await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { country_caps: { other_countries: 2 } },
    });
    expect(lowered.status).toBe(200);
    expect(lowered.body.country_caps).toMatchObject({ other_countries: 2, countries: { US: 1000 } });
    expect((await start(a.key, french(1))).status).toBe(201);
    expect((await start(a.key, french(2))).status).toBe(201);
    const before = await stored(a.tenant.id);

    const refused = await start(a.key, french(3));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "verify_country_cap",
      message: "Too many verifications to FR: at most 2 per 86400 seconds.",
      hint: expect.stringContaining('PUT /v1/verify/settings {"country_caps": {"countries": {"FR": <cap>}}}'),
      details: [expect.objectContaining({ scope: "country", country: "FR", max: 2, window_seconds: 86_400 })],
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await stored(a.tenant.id)).toBe(before);
    // The US, declared by default, and another tenant's French traffic are not affected.
    expect((await start(a.key, "+12125553001")).status).toBe(201);
    expect((await start(b.key, french(3))).status).toBe(201);

    // Declared with its own cap, France takes more.
    const declared = await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { country_caps: { countries: { FR: 5 } } },
    });
    expect(declared.body.country_caps.countries).toEqual({ CA: 1000, FR: 5, US: 1000 });
    expect((await start(a.key, french(3))).status).toBe(201);

    // A country set to 0 is refused outright, with no Retry-After; null removes a declaration.
    const off = await stack.api("PUT", "/v1/verify/settings", {
      token: a.key,
      body: { country_caps: { countries: { US: 0, CA: null } } },
    });
    expect(off.body.country_caps.countries).toEqual({ FR: 5, US: 0 });
    const us = await start(a.key, "+12125553002");
    expect(us.status).toBe(429);
    expect(us.body.error).toMatchObject({
      code: "verify_country_cap",
      message: "Verifications to US are switched off for this tenant.",
    });
    expect(us.headers.get("retry-after")).toBeNull();
  });

  it("refuses high-risk ranges by default, and lets them on to Verify once the tenant sets a cap", async () => {
    const iridium = "+881631234567";
    const before = await stored(b.tenant.id);
    const refused = await start(b.key, iridium);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "verify_country_cap",
      hint: expect.stringContaining('{"country_caps": {"high_risk": <cap>}}'),
      details: [expect.objectContaining({ country: "+8816", max: 0 })],
    });
    expect(await stored(b.tenant.id)).toBe(before);
    await stack.api("PUT", "/v1/verify/settings", { token: b.key, body: { country_caps: { high_risk: 1 } } });
    // Past our cap, the request reaches Verify (whose emulator does not take satellite numbers).
    const through = await start(b.key, iridium);
    expect(through.body.error).toMatchObject({ code: "verification_invalid_parameter", twilio_code: 60200 });
  });

  it("counts over a sliding window: once the window has passed the country takes traffic again", async () => {
    const t = await stack.newTenant();
    await stack.api("PUT", "/v1/verify/settings", {
      token: t.key,
      body: { country_caps: { other_countries: 1, window_seconds: 3600 } },
    });
    expect((await start(t.key, french(40))).status).toBe(201);
    expect((await start(t.key, french(41))).status).toBe(429);
    await stack.emulator.control("POST", "clock/advance", { seconds: 7200 });
    stack.clock.advance(7_200_000);
    expect((await start(t.key, french(41))).status).toBe(201);
  });

  it("refuses bad caps with 400", async () => {
    for (const body of [
      { country_caps: { countries: { fr: 5 } } },
      { country_caps: { other_countries: -1 } },
      { country_caps: { window_seconds: 60 } },
    ]) {
      const res = await stack.api("PUT", "/v1/verify/settings", { token: a.key, body });
      expect(res.status).toBe(400);
    }
  });
});
