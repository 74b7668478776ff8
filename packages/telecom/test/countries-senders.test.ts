import { describe, expect, it } from "vitest";
import {
  BUNDLE_REQUIREMENTS,
  bundleRequirementsFor,
  CONTENT_RULES,
  DEFAULT_OPT_OUT,
  DEFAULT_SENDER_OPTIONS,
  DEFAULT_SENDING_HOURS,
  HIGH_RISK_PREFIXES,
  OPT_OUT_RULES,
  PREFIX_ZONES,
  SENDER_OPTIONS,
  SENDING_HOURS,
  senderOptionsFor,
  senderPlanFor,
  type TenantSender,
} from "@subtext/telecom/countries";

const COUNTRIES = ["US", "CA", "GB", "DE", "FR", "ES", "AU", "BR", "IN", "MX"];

/** Every `source` anywhere in a value. */
function sources(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(sources);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, v]) =>
      key === "source" && typeof v === "string" ? [v] : sources(v),
    );
  }
  return [];
}

describe("country data", () => {
  it.each(COUNTRIES)("has sender options, sending hours and opt-out wording for %s", (country) => {
    expect(SENDER_OPTIONS[country]?.country).toBe(country);
    expect(SENDING_HOURS.some((r) => r.country === country)).toBe(true);
    expect(OPT_OUT_RULES.some((r) => r.country === country)).toBe(true);
  });

  it.each(["GB", "DE", "FR", "AU", "BR"])("has bundle requirements for %s", (country) => {
    expect(bundleRequirementsFor(country).length).toBeGreaterThan(0);
  });

  it("cites a public https URL for every entry, and nothing local", () => {
    const all = sources([
      SENDER_OPTIONS,
      DEFAULT_SENDER_OPTIONS,
      BUNDLE_REQUIREMENTS,
      SENDING_HOURS,
      DEFAULT_SENDING_HOURS,
      OPT_OUT_RULES,
      DEFAULT_OPT_OUT,
      CONTENT_RULES,
      HIGH_RISK_PREFIXES,
      PREFIX_ZONES,
    ]);
    expect(all.length).toBeGreaterThan(80);
    for (const source of all) {
      expect(source).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\//);
      expect(source).not.toMatch(/\/work\//);
    }
  });

  it("gives every low-confidence entry a note saying why", () => {
    const entries = [
      ...Object.values(SENDER_OPTIONS).flatMap((o) => [o.two_way, o.alphanumeric, o.long_code, o.short_code]),
      ...BUNDLE_REQUIREMENTS,
      ...SENDING_HOURS,
      ...OPT_OUT_RULES,
      ...CONTENT_RULES,
    ];
    expect(entries.filter((e) => e.confidence === "low" && !e.note)).toEqual([]);
  });

  it.each([
    ["gb", "GB", "allowed"],
    ["AU", "AU", "registration_required"],
    ["us", "US", "not_supported"],
    [" it ", "IT", "allowed"],
  ])("reads %s's alphanumeric status", (input, country, status) => {
    expect(senderOptionsFor(input)).toMatchObject({ country, alphanumeric: { status } });
  });

  it.each(["", "GBR", "1A"])("refuses the country code %j", (input) => {
    expect(senderOptionsFor(input)).toBeNull();
  });

  it("knows German local numbers are not sold to individuals", () => {
    expect(bundleRequirementsFor("DE", "local")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ end_user_type: "individual", available: false }),
        expect.objectContaining({
          end_user_type: "business",
          available: true,
          address: "locality",
          documents: expect.arrayContaining([
            expect.objectContaining({ type: "commercial_registrar_excerpt" }),
          ]),
        }),
      ]),
    );
  });
});

const alpha = (registered_in?: string[]): TenantSender => ({
  kind: "alphanumeric",
  sender_id: "ACME",
  registered_in,
});
const long = (e164: string, country: string): TenantSender => ({ kind: "long_code", e164, country });
const tollFree = (e164: string, country: string): TenantSender => ({ kind: "toll_free", e164, country });
const short = (code: string, country: string): TenantSender => ({ kind: "short_code", code, country });

describe("senderPlanFor", () => {
  it.each([
    ["GB, an ID needing no registration", "GB", [alpha()], {}, { kind: "alphanumeric" }, null],
    [
      "GB, an ID and a UK mobile: the ID, replies to the mobile",
      "GB",
      [long("+447400123456", "GB"), alpha()],
      {},
      { kind: "alphanumeric" },
      "+447400123456",
    ],
    [
      "GB, replies needed: the mobile",
      "GB",
      [alpha(), long("+447400123456", "GB")],
      { two_way: true },
      { kind: "long_code" },
      null,
    ],
    ["AU, an ID registered there", "AU", [alpha(["au"])], {}, { kind: "alphanumeric" }, null],
    [
      "AU, an unregistered ID and a mobile: the mobile",
      "AU",
      [alpha(["GB"]), long("+61412345678", "AU")],
      {},
      { kind: "long_code" },
      null,
    ],
    [
      "FR, an ID and a short code: the ID",
      "FR",
      [short("36123", "FR"), alpha()],
      {},
      { kind: "alphanumeric" },
      "36123",
    ],
    [
      "FR, a short code, replies needed",
      "FR",
      [short("36123", "FR"), alpha()],
      { two_way: true },
      { kind: "short_code" },
      null,
    ],
    ["US, a local number", "US", [alpha(), long("+14155552671", "US")], {}, { kind: "long_code" }, null],
    ["US, a toll-free number", "US", [tollFree("+18005550123", "US")], {}, { kind: "toll_free" }, null],
    ["CA, a US number", "CA", [long("+14155552671", "US")], {}, { kind: "long_code", country: "US" }, null],
    [
      "MX, a US number (Twilio's advice)",
      "MX",
      [long("+14155552671", "US")],
      {},
      { kind: "long_code", country: "US" },
      null,
    ],
    ["IN, a DLT-registered ID", "in", [alpha(["IN"])], {}, { kind: "alphanumeric" }, null],
    ["IT (no data), an ID", "IT", [alpha()], {}, { kind: "alphanumeric" }, null],
  ] as const)("%s", (_name, country, senders, options, sender, replyTo) => {
    const plan = senderPlanFor(country, senders, options);
    expect(plan).toMatchObject({ ok: true, country: country.toUpperCase(), sender, reply_to: replyTo });
  });

  it.each([
    ["US, an ID only", "US", [alpha()], {}, /toll-free number in the United States/],
    ["AU, an unregistered ID", "AU", [alpha(["GB"])], {}, /ACMA SMS Sender ID Register/],
    [
      "FR, a French mobile only",
      "FR",
      [long("+33612345678", "FR")],
      {},
      /carriers do not accept business traffic/,
    ],
    ["MX, a Mexican mobile only", "MX", [long("+5215512345678", "MX")], {}, /Set up a short code in Mexico/],
    ["IN, nothing", "IN", [], {}, /DLT portal/],
    ["GB, replies needed, an ID only", "GB", [alpha()], { two_way: true }, /cannot receive replies/],
    [
      "DE, a UK mobile",
      "DE",
      [long("+447400123456", "GB")],
      {},
      /mobile number in Germany, bought with an approved regulatory bundle/,
    ],
  ] as const)("refuses %s, saying what to register", (_name, country, senders, options, message) => {
    const plan = senderPlanFor(country, senders, options);
    expect(plan).toMatchObject({ ok: false, code: "sender_required_for_country", country });
    if (!plan.ok) {
      expect(plan.message).toMatch(message);
      expect(plan.register.length).toBeGreaterThan(0);
    }
  });

  it("does not offer an alphanumeric ID when replies are needed", () => {
    const plan = senderPlanFor("GB", [], { two_way: true });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.register.some((r) => r.includes("alphanumeric"))).toBe(false);
  });

  it("refuses a malformed country code with its own code", () => {
    expect(senderPlanFor("United Kingdom", [alpha()])).toMatchObject({ ok: false, code: "country_invalid" });
  });
});
