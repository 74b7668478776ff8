import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isRegistrationKind,
  REGISTRATION_KINDS,
  registrationDocumentSchema,
  registrationSchemas,
} from "@subtext/telecom/registration/document";
import { REGISTRATION_SCHEMAS } from "../../src/onboarding/routes/schemas.js";
import { validateRegistration } from "@subtext/telecom/registration/rules";
import { sampleRegistration } from "../support/onboarding.js";
import { edit, soleProprietor, standard, tollFree } from "../../../telecom/test/registration-fixtures.js";

// Strict mode: the schema must not rely on keywords Ajv would ignore.
const ajv = new Ajv({ strict: true, allErrors: true });
const validateDocument = ajv.compile(registrationDocumentSchema);

describe("the registration document schema", () => {
  it.each([
    ["a sole proprietor", soleProprietor()],
    ["a standard brand", standard()],
    ["a low-volume standard brand", standard("low_volume_standard")],
    ["a toll-free verification", tollFree()],
    ["a toll-free verification with a tax id", edit(tollFree(), (d) => (d.business.tax_id = "12-3456789"))],
    [
      "optional Twilio fields",
      edit(standard(), (d) => Object.assign(d.campaign, { age_gated: false, help_keywords: ["INFO"] })),
    ],
  ])("accepts %s", (_name, doc) => {
    expect(validateDocument(doc), JSON.stringify(validateDocument.errors)).toBe(true);
  });

  it.each([
    ["an unknown top-level field", edit(soleProprietor(), (d) => (d.priority = "high"))],
    ["an unknown business field", edit(soleProprietor(), (d) => (d.business.nickname = "JB"))],
    ["an unknown address field", edit(standard(), (d) => (d.business.address.country = "US"))],
    ["an unknown campaign field", edit(standard(), (d) => (d.campaign.samples = []))],
    ["an unknown toll-free field", edit(tollFree(), (d) => (d.toll_free.volume = "10"))],
    ["an unknown kind", edit(standard(), (d) => (d.kind = "premium"))],
    ["a standard brand without tax id", edit(standard(), (d) => delete d.business.tax_id)],
    [
      "a sole proprietor without mobile",
      edit(soleProprietor(), (d) => delete d.business.mobile_phone_number),
    ],
    ["a toll-free verification without its details", edit(tollFree(), (d) => delete d.toll_free)],
    ["a toll-free verification with a campaign", edit(tollFree(), (d) => (d.campaign = standard().campaign))],
    [
      "a sole proprietor with a standard business",
      edit(soleProprietor(), (d) => (d.business = standard().business)),
    ],
    ["samples that are not strings", edit(standard(), (d) => (d.campaign.message_samples = [1, 2]))],
    ["a null where a string is needed", edit(standard(), (d) => (d.business.address.city = null))],
  ])("refuses %s", (_name, doc) => {
    expect(validateDocument(doc)).toBe(false);
  });

  it("accepts a null second street line", () => {
    expect(
      validateDocument(edit(soleProprietor(), (d) => (d.business.address.street_secondary = null))),
    ).toBe(true);
  });

  it("has a strict schema per kind that refuses the other kinds", () => {
    for (const kind of REGISTRATION_KINDS) {
      const validate = ajv.compile(registrationSchemas[kind]);
      const docs = {
        sole_proprietor: soleProprietor(),
        standard: standard(),
        low_volume_standard: standard("low_volume_standard"),
        toll_free: tollFree(),
      };
      for (const [other, doc] of Object.entries(docs)) expect(validate(doc)).toBe(other === kind);
    }
  });

  it.each([
    ["standard", true],
    ["toll_free", true],
    ["starter", false],
    [42, false],
  ])("knows whether %j is a registration kind", (value, expected) => {
    expect(isRegistrationKind(value)).toBe(expected);
  });
});

/** Every leaf of a JSON value with its path (arrays and objects included as leaves' parents). */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as any)[k], [...at, k]))];
}

function setAt(doc: any, path: (string | number)[], change: (v: unknown) => unknown): void {
  const parent = path.slice(0, -1).reduce((node, k) => node[k], doc);
  const key = path[path.length - 1];
  const next = change(parent[key]);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = next;
}

describe("the published schema (components of /openapi.json)", () => {
  // Lenient: OpenAPI's `discriminator` is not a keyword Ajv checks.
  const published = new Ajv({ strict: false, allErrors: true });
  for (const schema of REGISTRATION_SCHEMAS) published.addSchema(schema);
  const validatePublished = published.getSchema("RegistrationDocument")!;
  const documents = [
    soleProprietor(),
    standard(),
    standard("low_volume_standard"),
    tollFree(),
    ...REGISTRATION_KINDS.map((kind) => sampleRegistration(kind)),
  ];

  it("judges documents as the inline schema does", () => {
    const bad = [
      edit(soleProprietor(), (d) => (d.business.nickname = "JB")),
      edit(standard(), (d) => delete d.business.tax_id),
      edit(tollFree(), (d) => (d.campaign = standard().campaign)),
      edit(standard(), (d) => (d.kind = "premium")),
    ];
    for (const doc of [...documents, ...bad]) {
      expect(validatePublished(doc), JSON.stringify(doc)).toBe(validateDocument(doc));
    }
  });

  it("describes every field", () => {
    const undescribed: string[] = [];
    const walk = (schema: any, path: string) => {
      for (const [name, child] of Object.entries<any>(schema.properties ?? {})) {
        if (!child.$ref && !child.description) undescribed.push(`${path}.${name}`);
        if (child.properties) walk(child, `${path}.${name}`);
      }
    };
    for (const schema of REGISTRATION_SCHEMAS as any[]) {
      if (!schema.description) undescribed.push(schema.$id);
      walk(schema, schema.$id);
    }
    expect(undescribed).toEqual([]);
  });

  it("never refuses a document the rules accept", () => {
    // Spaces around values, blank or missing optional fields, nulls, other array lengths: the
    // rules accept some of these (they trim, and blank optional text is no value); whatever they
    // accept, the published schema must accept too.
    const change = fc.constantFrom<(v: unknown) => unknown>(
      (v) => (typeof v === "string" ? ` ${v} ` : v),
      (v) => (typeof v === "string" ? "" : v),
      (v) => (typeof v === "string" ? v.repeat(50) : v),
      (v) => (Array.isArray(v) ? [...v, ...v] : v),
      (v) => (Array.isArray(v) ? v.slice(1) : v),
      (v) => (typeof v === "boolean" ? !v : v),
      () => null,
      () => undefined,
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...documents),
        fc.array(fc.tuple(fc.nat(), change), { minLength: 1, maxLength: 3 }),
        (original, changes) => {
          const doc = structuredClone(original);
          for (const [pick, fn] of changes) {
            const all = paths(doc).filter((p) => p.length > 0 && p[0] !== "kind");
            if (all.length > 0) setAt(doc, all[pick % all.length], fn);
          }
          if (validateRegistration(doc).ok) {
            expect(validatePublished(doc), JSON.stringify(validatePublished.errors)).toBe(true);
          }
        },
      ),
      { numRuns: 2_000, seed: 20_250_601 },
    );
  });
});
