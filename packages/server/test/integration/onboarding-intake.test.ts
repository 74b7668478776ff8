/**
 * What happens before anything reaches Twilio: dry-run validation and path recommendation,
 * refusals (422 with every finding, nothing created), TCR's reuse limits counted across all
 * tenants, tenant scoping, one registration per channel, and the signed status callbacks.
 */
import { emulatorHttpClient, twilioSignature } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveRegistrations, sampleRegistration, submitRegistration } from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe("before anything reaches Twilio", { timeout: 120_000 }, () => {
  it("a document with errors is refused with every finding, and nothing is created anywhere", async () => {
    const { tenant, key } = await stack.newTenant();
    const doc = sampleRegistration("sole_proprietor") as any;
    doc.business.email = "jane@mailinator.com";
    doc.business.mobile_phone_number = "+447700900123";
    doc.business.address = {
      street: "1 High St",
      city: "London",
      region: "London",
      postal_code: "SW1A 1AA",
      iso_country: "GB",
    };
    doc.business.nickname = "JD";

    const dryRun = await stack.api("POST", "/v1/registrations/validate", { token: key, body: doc });
    expect(dryRun.status).toBe(200);
    expect(dryRun.body.ok).toBe(false);
    const expected = ["email_disposable", "address_not_us_ca", "unknown_field"];
    expect(codes(dryRun.body.findings)).toEqual(expect.arrayContaining(expected));

    const refused = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
      token: key,
      body: doc,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("registration_invalid");
    expect(codes(refused.body.error.details)).toEqual(expect.arrayContaining(expected));
    expect(refused.body.error.details).toContainEqual(
      expect.objectContaining({
        path: "business.mobile_phone_number",
        severity: "error",
        fix: expect.any(String),
      }),
    );

    const standard = sampleRegistration("standard") as any;
    standard.business.tax_id = "12-34";
    const badEin = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
      token: key,
      body: standard,
    });
    expect(badEin.status).toBe(422);
    expect(codes(badEin.body.error.details)).toContain("ein_invalid");

    expect(
      (await stack.api("GET", `/v1/tenants/${tenant.id}/registrations`, { token: key })).body.data,
    ).toEqual([]);
    const { rows } = await stack.db.query("SELECT 1 FROM jobs WHERE kind = 'onboarding.step'");
    expect(rows).toHaveLength(0);
    const { accounts } = await stack.emulator.control("GET", "accounts");
    const sub = accounts.find((a: any) => a.sid === tenant.subaccount_sid);
    const client = twilio(sub.sid, sub.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
    expect(await client.trusthub.v1.customerProfiles.list()).toHaveLength(0);
    expect(await client.trusthub.v1.endUsers.list()).toHaveLength(0);
    expect(await client.addresses.list()).toHaveLength(0);
  });

  it("a sole proprietor's mobile number backs at most 3 brands, counted across all tenants", async () => {
    const mobile = "+14155550199";
    const withMobile = (d: any) => {
      d.business.mobile_phone_number = mobile;
    };
    for (let i = 0; i < 3; i++) {
      const dry = await stack.api("POST", "/v1/registrations/validate", {
        body: (() => {
          const d = sampleRegistration("sole_proprietor") as any;
          withMobile(d);
          return d;
        })(),
      });
      expect(dry.body.ok).toBe(true);
      expect(codes(dry.body.findings).includes("reuse_limit_last_use")).toBe(i === 2);
      await submitRegistration(stack, "sole_proprietor", withMobile);
    }
    const { tenant, key } = await stack.newTenant();
    const fourth = sampleRegistration("sole_proprietor") as any;
    withMobile(fourth);
    const refused = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
      token: key,
      body: fourth,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toContainEqual(
      expect.objectContaining({
        path: "business.mobile_phone_number",
        code: "reuse_limit_reached",
        severity: "error",
      }),
    );
  });

  it("an e-mail address backs at most 10 brands", async () => {
    const email = "owner@sharedmail.com";
    for (let i = 0; i < 10; i++) {
      await submitRegistration(stack, "low_volume_standard", (d) => {
        d.business.contact.email = email;
      });
    }
    const doc = sampleRegistration("standard") as any;
    doc.business.contact.email = email;
    const dry = await stack.api("POST", "/v1/registrations/validate", { body: doc });
    expect(dry.body.findings).toContainEqual(
      expect.objectContaining({ path: "business.contact.email", code: "reuse_limit_reached" }),
    );
  });

  it("recommends a path from the customer's answers", async () => {
    const noTaxId = await stack.api("POST", "/v1/registrations/recommend", {
      body: { has_tax_id: false, country: "US", expected_daily_volume: 500, sender_type_wanted: "any" },
    });
    expect(noTaxId.status).toBe(200);
    expect(noTaxId.body).toMatchObject({
      kind: "sole_proprietor",
      daily_caps: { total: { min: 3000, max: 3000 } },
    });
    const big = await stack.api("POST", "/v1/registrations/recommend", {
      body: { has_tax_id: true, country: "US", expected_daily_volume: 50_000, sender_type_wanted: "10dlc" },
    });
    expect(big.body.kind).toBe("standard");
    const bad = await stack.api("POST", "/v1/registrations/recommend", { body: { has_tax_id: "no" } });
    expect(bad.status).toBe(400);
  });

  it("a tenant sees only its own registrations, and has one per channel", async () => {
    const { tenant, key, registration } = await submitRegistration(stack, "standard");
    const other = await stack.newTenant();
    const hidden = await stack.api("GET", `/v1/tenants/${tenant.id}/registrations/${registration.id}`, {
      token: other.key,
    });
    expect(hidden.status).toBe(404);
    const crossPost = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
      token: other.key,
      body: sampleRegistration("toll_free"),
    });
    expect(crossPost.status).toBe(404);

    const again = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
      token: key,
      body: sampleRegistration("low_volume_standard"),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("registration_exists");
    const tollFree = await stack.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
      token: key,
      body: sampleRegistration("toll_free"),
    });
    expect(tollFree.status).toBe(202);
    expect(tollFree.body).toMatchObject({ kind: "toll_free", eta: { business_days: { min: 3, max: 5 } } });
    const list = await stack.api("GET", `/v1/tenants/${tenant.id}/registrations`, { token: key });
    expect(list.body.data.map((r: any) => r.kind).sort()).toEqual(["standard", "toll_free"]);
  });
});

describe("status callbacks", { timeout: 120_000 }, () => {
  it("are signed by the tenant's subaccount; forged ones are refused, real ones were accepted", async () => {
    const { tenant, ref } = await submitRegistration(stack, "sole_proprietor");
    await driveRegistrations(stack, [ref], { until: (r) => r.state === "approved" });
    const path = `/twilio/onboarding/${tenant.id}/bundle`;
    const { callbacks } = await stack.emulator.control("GET", `callbacks?url=${encodeURIComponent(path)}`);
    expect(callbacks.length).toBeGreaterThan(0);
    expect(callbacks.every((c: any) => c.status === 204)).toBe(true);

    const params = { BundleSid: "BU00000000000000000000000000000000", Status: "twilio-rejected" };
    const body = new URLSearchParams(params).toString();
    const headers = { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged" };
    const forged = await fetch(`${stack.url}${path}`, { method: "POST", headers, body });
    expect(forged.status).toBe(403);
    const { accounts } = await stack.emulator.control("GET", "accounts");
    const token = accounts.find((a: any) => a.sid === tenant.subaccount_sid).auth_token;
    const signed = await fetch(`${stack.url}${path}`, {
      method: "POST",
      headers: { ...headers, "x-twilio-signature": twilioSignature(token, `${stack.url}${path}`, params) },
      body,
    });
    expect(signed.status).toBe(204); // a SID that is not ours changes nothing
  });
});
