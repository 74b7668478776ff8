/** JSON schemas of the onboarding routes (inputs refuse unknown fields; outputs list every field). */
import { REGISTRATION_KINDS } from "./document.js";
import { REGISTRATION_STATES } from "./states.js";

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

/** The registration document: checked by the rules (findings), so the schema only needs an object with a kind. */
export const documentBody = {
  type: "object",
  required: ["kind"],
  description:
    "The registration document (see docs/onboarding.md): `kind`, `business`, and `campaign` (10DLC) or `toll_free`. " +
    "Unknown fields are refused. Every problem comes back at once as a 422 finding with its path and fix.",
  properties: {
    kind: { type: "string", enum: [...REGISTRATION_KINDS] },
    business: anyObject,
    campaign: anyObject,
    toll_free: anyObject,
  },
} as const;

export const patchBody = {
  type: "object",
  minProperties: 1,
  additionalProperties: false,
  description:
    "A JSON merge patch (RFC 7396) of the document: objects merge, null removes a field, arrays replace.",
  properties: { kind: { type: "string" }, business: anyObject, campaign: anyObject, toll_free: anyObject },
} as const;

export const recommendBody = {
  type: "object",
  additionalProperties: false,
  required: ["has_tax_id", "country", "expected_daily_volume", "sender_type_wanted"],
  properties: {
    has_tax_id: {
      type: "boolean",
      description: "An EIN (US) or Business Number (CA) or other national tax id",
    },
    country: { type: "string", minLength: 2, maxLength: 2, examples: ["US"] },
    expected_daily_volume: { type: "integer", minimum: 0, description: "SMS segments per day at peak" },
    sender_type_wanted: { type: "string", enum: ["10dlc", "toll_free", "any"] },
    use_case: { type: "string" },
  },
} as const;

const range = { type: "object", properties: { min: { type: "number" }, max: { type: "number" } } } as const;

export const recommendationSchema = {
  type: "object",
  properties: {
    kind: { type: "string", enum: [...REGISTRATION_KINDS] },
    reason: { type: "string" },
    throughput: { type: "object", properties: { mps: range, per: { type: "string" } } },
    daily_caps: {
      type: "object",
      properties: {
        tmobile: { ...range, type: ["object", "null"] },
        total: { ...range, type: ["object", "null"] },
      },
    },
    timeline_business_days: range,
    caveats: { type: "array", items: { type: "string" } },
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
    document: anyObject,
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
