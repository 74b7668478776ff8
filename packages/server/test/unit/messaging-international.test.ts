/**
 * The send path abroad, as pure rules: which of the tenant's senders a destination country gets
 * (an alphanumeric ID active there, else a local number of the tenant in the country), the
 * purpose the country rules apply to, and the dispatcher's gate for an international lane.
 */
import { describe, expect, it } from "vitest";
import { senderPlanFor } from "@subtext/telecom/countries";
import {
  abroadCountry,
  intlLaneGate,
  purposeOf,
  tenantSendersFor,
} from "../../src/messaging/send/international.js";
import type { InternationalSenders } from "../../src/onboarding/international/senders.js";

const senders = (over: Partial<InternationalSenders> = {}): InternationalSenders => ({
  tenantId: "ten_1",
  declared: ["GB", "DE", "AU"],
  alpha: [
    {
      id: "alpha_1",
      alphaSenderId: "Acme",
      messagingServiceSid: "MG1",
      fallbackNumber: null,
      active: ["GB"],
      pending: ["AU"],
    },
  ],
  numbers: [
    { phoneNumber: "+4915712345678", country: "DE", type: "mobile", messagingServiceSid: null },
    { phoneNumber: "+61412345678", country: "AU", type: "mobile", messagingServiceSid: null },
    { phoneNumber: "+14155550100", country: "US", type: "local", messagingServiceSid: "MG2" },
  ],
  ...over,
});

describe("the sender a country gets", () => {
  it.each([
    ["GB", "alphanumeric", "Acme"],
    // The ID is not set up for DE: the tenant's German mobile sends.
    ["DE", "long_code", "+4915712345678"],
    // AU requires registration and the ID's is pending: the Australian mobile sends.
    ["AU", "long_code", "+61412345678"],
    // Mexico takes A2P from US long codes.
    ["MX", "long_code", "+14155550100"],
  ])("%s → %s %s", (country, kind, sender) => {
    const plan = senderPlanFor(country, tenantSendersFor(senders(), country));
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.sender.kind).toBe(kind);
    expect(plan.sender.kind === "alphanumeric" ? plan.sender.sender_id : (plan.sender as any).e164).toBe(
      sender,
    );
  });

  it("refuses a country with no sender of the tenant, naming what to register", () => {
    const plan = senderPlanFor("FR", tenantSendersFor(senders({ alpha: [] }), "FR"));
    expect(plan).toMatchObject({ ok: false, code: "sender_required_for_country" });
    if (!plan.ok) expect(plan.register[0]).toContain("alphanumeric sender ID");
  });
});

describe("the destination and the purpose", () => {
  it.each([
    ["+447400123456", "sms", "GB"],
    ["+14155550100", "sms", null],
    ["+16135550100", "sms", null],
    ["whatsapp:+447400123456", "whatsapp", null],
  ] as const)("%s on %s is abroad in %s", (to, channel, country) => {
    expect(abroadCountry({ to, channel })).toBe(country);
  });

  it.each([
    [{ purpose: "otp", useCase: "MARKETING" }, "otp"],
    [{ purpose: null, useCase: "2FA" }, "otp"],
    [{ purpose: null, useCase: "ACCOUNT_NOTIFICATION" }, "transactional"],
    [{ purpose: null, useCase: "MIXED" }, "marketing"],
    [{ purpose: null, useCase: null }, "marketing"],
  ] as const)("%o → %s", (send, purpose) => {
    expect(purposeOf(send)).toBe(purpose);
  });
});

describe("the dispatcher's gate of an international lane", () => {
  const lane = (sender: string, country = "GB") => ({
    tenant_id: "ten_1",
    key: `intl:${country}:${sender}`,
    kind: "intl_sender" as const,
    rate_kind: "international" as const,
    messaging_service_sid: null,
    sender,
  });

  it("is open while the sender is the tenant's and the country declared", () => {
    const gate = intlLaneGate(senders(), lane("Acme"));
    expect(gate).toMatchObject({ ready: true, spec: { key: "intl:GB:Acme", rateKind: "international" } });
  });

  it.each([
    ["a deleted sender ID", senders({ alpha: [] }), lane("Acme"), "no_sender"],
    ["a released number", senders({ numbers: [] }), lane("+4915712345678", "DE"), "no_sender"],
    ["a country no longer declared", senders({ declared: [] }), lane("Acme"), "country_not_permitted"],
  ])("holds the lane for %s", (_what, s, l, code) => {
    expect(intlLaneGate(s, l)).toEqual({ ready: false, code });
  });
});
