/** JSON schemas of the onboarding routes (inputs refuse unknown fields; outputs list every field). */
import {
  REGISTRATION_DOCUMENT_PARTS,
  REGISTRATION_KINDS,
  type RegistrationKind,
  registrationDocumentSchema,
} from "@subtext/telecom/registration/document";
import { REGISTRATION_STATES } from "../states.js";

const nullable = (type: string) => ({ type: [type, "null"] });
const dateTime = { type: "string", format: "date-time" } as const;
const nullableDateTime = { type: ["string", "null"], format: "date-time" } as const;
const anyObject = { type: "object", additionalProperties: true } as const;

export const findingSchema = {
  type: "object",
  required: ["path", "code", "severity", "message", "fix"],
  properties: {
    path: { type: "string", examples: ["campaign.message_samples[1]"] },
    code: { type: "string", examples: ["sample_missing_brand"] },
    severity: { type: "string", enum: ["error", "warning"] },
    message: { type: "string" },
    fix: { type: "string" },
  },
} as const;

export const validationResultSchema = {
  type: "object",
  required: ["ok", "findings"],
  properties: { ok: { type: "boolean" }, findings: { type: "array", items: findingSchema } },
} as const;

const KIND_COMPONENTS: Record<RegistrationKind, string> = {
  sole_proprietor: "SoleProprietorRegistration",
  standard: "StandardRegistration",
  low_volume_standard: "LowVolumeStandardRegistration",
  toll_free: "TollFreeRegistration",
};

/** A deep copy of `value` in which every named part below the root is a `$ref` to its component. */
function withRefs(value: unknown, names: Map<unknown, string>, root = true): unknown {
  if (!root && names.has(value)) return { $ref: `${names.get(value)}#` };
  if (Array.isArray(value)) return value.map((v) => withRefs(v, names, false));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withRefs(v, names, false)]));
}

/**
 * The registration document as named components of /openapi.json (so the SDK has a type per
 * kind and per part): a union on `kind`, one schema per kind, and their parts.
 */
export const REGISTRATION_SCHEMAS: object[] = (() => {
  const names = new Map<unknown, string>(
    Object.entries(REGISTRATION_DOCUMENT_PARTS).map(([name, schema]) => [schema, name]),
  );
  const { oneOf: _inline, ...top } = registrationDocumentSchema;
  return [
    {
      $id: "RegistrationDocument",
      ...top,
      oneOf: REGISTRATION_KINDS.map((kind) => ({ $ref: `${KIND_COMPONENTS[kind]}#` })),
      discriminator: {
        propertyName: "kind",
        mapping: Object.fromEntries(
          REGISTRATION_KINDS.map((kind) => [kind, `#/components/schemas/${KIND_COMPONENTS[kind]}`]),
        ),
      },
    },
    ...Object.entries(REGISTRATION_DOCUMENT_PARTS).map(([name, schema]) => ({
      $id: name,
      ...(withRefs(schema, names) as object),
    })),
  ];
})();

/**
 * What the create route enforces before its handler: an object with a known kind. The rest of
 * the document is checked by the rules, which report every problem at once as a 422 finding;
 * /openapi.json shows RegistrationDocument instead (see the route).
 */
export const documentBody = {
  type: "object",
  required: ["kind"],
  properties: {
    kind: { type: "string", enum: [...REGISTRATION_KINDS] },
    business: anyObject,
    campaign: anyObject,
    toll_free: anyObject,
  },
} as const;

/** The dry run takes drafts too: anything that is not a valid document comes back as findings. */
export const draftBody = {
  type: "object",
  additionalProperties: true,
  description:
    "A registration document (RegistrationDocument), complete or a draft. Whatever it lacks or " +
    "gets wrong comes back as findings (`ok: false`), not as an error.",
} as const;

export const patchBody = {
  type: "object",
  minProperties: 1,
  additionalProperties: false,
  description:
    "A JSON merge patch (RFC 7396) of the registration document (RegistrationDocument): objects " +
    "merge, null removes a field, arrays replace. The result is validated as a whole again.",
  properties: { kind: { type: "string" }, business: anyObject, campaign: anyObject, toll_free: anyObject },
} as const;

export const recommendBody = {
  type: "object",
  additionalProperties: false,
  required: ["has_tax_id", "country", "expected_daily_volume", "sender_type_wanted"],
  description: "The customer's answers to a few questions; the answer is the registration `kind` to start.",
  properties: {
    has_tax_id: {
      type: "boolean",
      description:
        "Whether the business has a tax id: an EIN (US), a Business Number (Canada) or another national one. " +
        "Every US LLC has an EIN. Without one, 10DLC means a sole proprietor brand (US and Canada only).",
    },
    country: {
      type: "string",
      minLength: 2,
      maxLength: 2,
      description: "The business's country: ISO 3166-1 alpha-2 (`US`, `CA`, `GB`, …).",
      examples: ["US"],
    },
    expected_daily_volume: {
      type: "integer",
      minimum: 0,
      description:
        "SMS segments a day at peak. It chooses between standard and low-volume standard (at most 6,000) " +
        "and tells whether a sole proprietor's 3,000 a day is enough.",
      examples: [500],
    },
    sender_type_wanted: {
      type: "string",
      enum: ["10dlc", "toll_free", "any"],
      description:
        "The kind of number the customer wants to send from: `10dlc`, a local 10-digit number " +
        "(standard, low-volume standard or sole proprietor registration); `toll_free`, a toll-free " +
        "number (toll-free verification, always recommended then); `any`, no preference (the " +
        "recommendation picks one).",
      examples: ["any"],
    },
    use_case: {
      type: "string",
      description:
        "Optional: the A2P use case the customer has in mind (e.g. `MARKETING`, `POLITICAL`); " +
        "use cases that need extra approvals add caveats to the answer.",
      examples: ["ACCOUNT_NOTIFICATION"],
    },
  },
} as const;

const range = { type: "object", properties: { min: { type: "number" }, max: { type: "number" } } } as const;

export const recommendationSchema = {
  type: "object",
  properties: {
    kind: {
      type: "string",
      enum: [...REGISTRATION_KINDS],
      description: "The registration to start: the `kind` of its document.",
    },
    reason: { type: "string", description: "Why, in a sentence to show the customer." },
    throughput: {
      type: "object",
      description: "Segments per second; a standard brand's depends on its trust score, hence a range.",
      properties: {
        mps: range,
        per: { type: "string", enum: ["campaign", "number"], description: "What the rate applies to." },
      },
    },
    daily_caps: {
      type: "object",
      description: "Segments a day for the whole brand; null: no cap.",
      properties: {
        tmobile: { ...range, type: ["object", "null"], description: "Toward T-Mobile subscribers." },
        total: { ...range, type: ["object", "null"], description: "To all carriers together." },
      },
    },
    timeline_business_days: { ...range, description: "How long the reviews usually take, in business days." },
    caveats: {
      type: "array",
      items: { type: "string" },
      description: "What else the customer should know (an approval to expect, a cap to mind).",
    },
  },
} as const;

const reasonSchema = {
  type: "object",
  properties: {
    code: { type: "string" },
    twilio_code: nullable("integer"),
    reason: { type: "string" },
    fields: { type: "array", items: { type: "string" } },
    hint: { type: "string" },
  },
} as const;

export const registrationSchema = {
  type: "object",
  required: ["id", "tenant_id", "kind", "state", "steps", "eta"],
  properties: {
    id: { type: "string", examples: ["reg_01JC0000000000000000000000"] },
    tenant_id: { type: "string" },
    kind: { type: "string", enum: [...REGISTRATION_KINDS] },
    state: {
      type: "string",
      enum: [...REGISTRATION_STATES],
      description:
        "Ends in approved (ready to send), failed (needs remediation: PATCH, then resubmit) or suspended.",
    },
    stage: nullable("string"),
    current_step: nullable("string"),
    document: {
      ...anyObject,
      description: "The registration document as submitted, with its PATCHes merged: a RegistrationDocument.",
    },
    steps: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          stage: { type: "string" },
          status: { type: "string", enum: ["pending", "running", "waiting", "done", "failed"] },
          sid: nullable("string"),
          twilio_status: nullable("string"),
          attempts: { type: "integer" },
          started_at: nullableDateTime,
          completed_at: nullableDateTime,
          wait_until: nullableDateTime,
          error: { type: ["object", "null"], additionalProperties: true },
        },
      },
    },
    resources: {
      type: "object",
      properties: Object.fromEntries(
        [
          "customer_profile_sid",
          "trust_product_sid",
          "brand_sid",
          "brand_status",
          "brand_identity_status",
          "messaging_service_sid",
          "campaign_id",
          "campaign_status",
          "phone_number_sid",
          "phone_number",
          "tollfree_verification_sid",
          "tollfree_status",
        ]
          .map((k) => [k, nullable("string")] as [string, unknown])
          .concat([
            ["trust_score", nullable("integer")],
            ["sender_attached", { type: "boolean" }],
          ]),
      ),
    },
    failure: {
      type: ["object", "null"],
      properties: {
        stage: { type: "string" },
        at: { type: "string" },
        twilio_status: nullable("string"),
        remediable: { type: "boolean" },
        reasons: { type: "array", items: reasonSchema },
      },
    },
    eta: {
      type: ["object", "null"],
      description: "When review should end, in business days (weekends skipped).",
      properties: {
        earliest: { type: "string", format: "date" },
        latest: { type: "string", format: "date" },
        business_days: range,
        from: { type: "string", format: "date" },
        waiting_for: { type: "string" },
      },
    },
    otp: {
      type: ["object", "null"],
      description: "Sole proprietors: the verification text TCR sends to the customer's mobile.",
      properties: {
        status: { type: "string", enum: ["not_sent", "sent", "expired", "verified"] },
        sent_at: nullableDateTime,
        expires_at: nullableDateTime,
        verified_at: nullableDateTime,
        deadline: nullableDateTime,
        retrigger_available_at: nullableDateTime,
        retriggers: { type: "integer" },
        warnings: { type: "array", items: { type: "string" } },
      },
    },
    created_at: dateTime,
    updated_at: dateTime,
    approved_at: nullableDateTime,
  },
} as const;
