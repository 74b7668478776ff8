/** Schemas of the onboarding routes (inputs refuse unknown fields; outputs list every field). */
import {
  REGISTRATION_DOCUMENT_PARTS,
  REGISTRATION_KINDS,
  type RegistrationDocument,
  type RegistrationKind,
  registrationDocumentSchema,
} from "@subtext/telecom/registration/document";
import { dateTime, nullableDateTime } from "../../http/schemas.js";
import { Nullable, OpenObject, Ref, Type } from "../../kernel/schema.js";
import { REGISTRATION_STATES } from "../states.js";

const registrationKind = (options: Record<string, unknown> = {}) =>
  Type.Enum(REGISTRATION_KINDS, { type: "string", ...options });

export const findingSchema = Type.Object({
  path: Type.String({ examples: ["campaign.message_samples[1]"] }),
  code: Type.String({ examples: ["sample_missing_brand"] }),
  severity: Type.Enum(["error", "warning"], { type: "string" }),
  message: Type.String(),
  fix: Type.String(),
});

export const validationResultSchema = Type.Object({
  ok: Type.Boolean(),
  findings: Type.Array(findingSchema),
});

const KIND_COMPONENTS: Record<RegistrationKind, string> = {
  sole_proprietor: "SoleProprietorRegistration",
  standard: "StandardRegistration",
  low_volume_standard: "LowVolumeStandardRegistration",
  toll_free: "TollFreeRegistration",
};

/** A deep copy of `value` in which every named part below the root is a `$ref` to its component. */
function withRefs(value: unknown, names: Map<unknown, string>, root = true): unknown {
  if (!root && names.has(value)) return Ref(names.get(value) as string);
  if (Array.isArray(value)) return value.map((v) => withRefs(v, names, false));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withRefs(v, names, false)]));
}

/**
 * The registration document as named components of /openapi.json (so the SDK has a type per
 * kind and per part): a union on `kind`, one schema per kind, and their parts. They are
 * @subtext/telecom's JSON Schema, the very one its rules' shape check walks, published as it is
 * (hence `Type.Unsafe`, typed with telecom's document types).
 */
const names = new Map<unknown, string>(
  Object.entries(REGISTRATION_DOCUMENT_PARTS).map(([name, schema]) => [schema, name]),
);
const { oneOf: _inline, ...documentTop } = registrationDocumentSchema;

export const RegistrationDocumentSchema = Type.Unsafe<RegistrationDocument>({
  $id: "RegistrationDocument",
  ...documentTop,
  oneOf: REGISTRATION_KINDS.map((kind) => Ref(KIND_COMPONENTS[kind])),
  discriminator: {
    propertyName: "kind",
    mapping: Object.fromEntries(
      REGISTRATION_KINDS.map((kind) => [kind, `#/components/schemas/${KIND_COMPONENTS[kind]}`]),
    ),
  },
});

export const REGISTRATION_SCHEMAS = [
  RegistrationDocumentSchema,
  ...Object.entries(REGISTRATION_DOCUMENT_PARTS).map(([name, schema]) =>
    Type.Unsafe({ $id: name, ...(withRefs(schema, names) as object) }),
  ),
];

/**
 * What the create route enforces before its handler: an object with a known kind. The rest of
 * the document is checked by the rules, which report every problem at once as a 422 finding;
 * /openapi.json shows RegistrationDocument instead (see the route).
 */
export const documentBody = Type.Object({
  kind: registrationKind(),
  business: Type.Optional(OpenObject()),
  campaign: Type.Optional(OpenObject()),
  toll_free: Type.Optional(OpenObject()),
});

/** The dry run takes drafts too: anything that is not a valid document comes back as findings. */
export const draftBody = OpenObject({
  description:
    "A registration document (RegistrationDocument), complete or a draft. Whatever it lacks or " +
    "gets wrong comes back as findings (`ok: false`), not as an error.",
});

export const patchBody = Type.Object(
  {
    kind: Type.Optional(Type.String()),
    business: Type.Optional(OpenObject()),
    campaign: Type.Optional(OpenObject()),
    toll_free: Type.Optional(OpenObject()),
  },
  {
    minProperties: 1,
    additionalProperties: false,
    description:
      "A JSON merge patch (RFC 7396) of the registration document (RegistrationDocument): objects " +
      "merge, null removes a field, arrays replace. The result is validated as a whole again.",
  },
);

export const recommendBody = Type.Object(
  {
    has_tax_id: Type.Boolean({
      description:
        "Whether the business has a tax id: an EIN (US), a Business Number (Canada) or another national one. " +
        "Every US LLC has an EIN. Without one, 10DLC means a sole proprietor brand (US and Canada only).",
    }),
    country: Type.String({
      minLength: 2,
      maxLength: 2,
      description: "The business's country: ISO 3166-1 alpha-2 (`US`, `CA`, `GB`, …).",
      examples: ["US"],
    }),
    expected_daily_volume: Type.Integer({
      minimum: 0,
      description:
        "SMS segments a day at peak. It chooses between standard and low-volume standard (at most 6,000) " +
        "and tells whether a sole proprietor's 3,000 a day is enough.",
      examples: [500],
    }),
    sender_type_wanted: Type.Enum(["10dlc", "toll_free", "any"], {
      type: "string",
      description:
        "The kind of number the customer wants to send from: `10dlc`, a local 10-digit number " +
        "(standard, low-volume standard or sole proprietor registration); `toll_free`, a toll-free " +
        "number (toll-free verification, always recommended then); `any`, no preference (the " +
        "recommendation picks one).",
      examples: ["any"],
    }),
    use_case: Type.Optional(
      Type.String({
        description:
          "Optional: the A2P use case the customer has in mind (e.g. `MARKETING`, `POLITICAL`); " +
          "use cases that need extra approvals add caveats to the answer.",
        examples: ["ACCOUNT_NOTIFICATION"],
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "The customer's answers to a few questions; the answer is the registration `kind` to start.",
  },
);

/** `{ min, max }`, both optional. */
const range = (options: Record<string, unknown> = {}) =>
  Type.Object({ min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) }, options);

export const recommendationSchema = Type.Object({
  kind: Type.Optional(
    registrationKind({ description: "The registration to start: the `kind` of its document." }),
  ),
  reason: Type.Optional(Type.String({ description: "Why, in a sentence to show the customer." })),
  throughput: Type.Optional(
    Type.Object(
      {
        mps: Type.Optional(range()),
        per: Type.Optional(
          Type.Enum(["campaign", "number"], { type: "string", description: "What the rate applies to." }),
        ),
      },
      { description: "Segments per second; a standard brand's depends on its trust score, hence a range." },
    ),
  ),
  daily_caps: Type.Optional(
    Type.Object(
      {
        tmobile: Type.Optional(Nullable(range({ description: "Toward T-Mobile subscribers." }))),
        total: Type.Optional(Nullable(range({ description: "To all carriers together." }))),
      },
      { description: "Segments a day for the whole brand; null: no cap." },
    ),
  ),
  timeline_business_days: Type.Optional(
    range({ description: "How long the reviews usually take, in business days." }),
  ),
  caveats: Type.Optional(
    Type.Array(Type.String(), {
      description: "What else the customer should know (an approval to expect, a cap to mind).",
    }),
  ),
});

const nullableString = () => Type.Optional(Nullable(Type.String()));
const optionalNullableDateTime = () => Type.Optional(nullableDateTime);
const date = () => Type.Optional(Type.String({ format: "date" }));

const reasonSchema = Type.Object({
  code: Type.Optional(Type.String()),
  twilio_code: Type.Optional(Nullable(Type.Integer())),
  reason: Type.Optional(Type.String()),
  fields: Type.Optional(Type.Array(Type.String())),
  hint: Type.Optional(Type.String()),
});

const RESOURCE_SIDS = [
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
] as const;

export const registrationSchema = Type.Object({
  id: Type.String({ examples: ["reg_01JC0000000000000000000000"] }),
  tenant_id: Type.String(),
  kind: registrationKind(),
  state: Type.Enum(REGISTRATION_STATES, {
    type: "string",
    description:
      "Ends in approved (ready to send), failed (needs remediation: PATCH, then resubmit) or suspended.",
  }),
  stage: nullableString(),
  current_step: nullableString(),
  document: Type.Optional(
    OpenObject({
      description: "The registration document as submitted, with its PATCHes merged: a RegistrationDocument.",
    }),
  ),
  steps: Type.Array(
    Type.Object({
      name: Type.Optional(Type.String()),
      stage: Type.Optional(Type.String()),
      status: Type.Optional(
        Type.Enum(["pending", "running", "waiting", "done", "failed"], { type: "string" }),
      ),
      sid: nullableString(),
      twilio_status: nullableString(),
      attempts: Type.Optional(Type.Integer()),
      started_at: optionalNullableDateTime(),
      completed_at: optionalNullableDateTime(),
      wait_until: optionalNullableDateTime(),
      error: Type.Optional(Nullable(OpenObject())),
    }),
  ),
  resources: Type.Optional(
    Type.Object({
      ...Object.fromEntries(RESOURCE_SIDS.map((key) => [key, nullableString()])),
      trust_score: Type.Optional(Nullable(Type.Integer())),
      sender_attached: Type.Optional(Type.Boolean()),
    }),
  ),
  failure: Type.Optional(
    Nullable(
      Type.Object({
        stage: Type.Optional(Type.String()),
        at: Type.Optional(Type.String()),
        twilio_status: nullableString(),
        remediable: Type.Optional(Type.Boolean()),
        reasons: Type.Optional(Type.Array(reasonSchema)),
      }),
    ),
  ),
  eta: Nullable(
    Type.Object(
      {
        earliest: date(),
        latest: date(),
        business_days: Type.Optional(range()),
        from: date(),
        waiting_for: Type.Optional(Type.String()),
      },
      { description: "When review should end, in business days (weekends skipped)." },
    ),
  ),
  otp: Type.Optional(
    Nullable(
      Type.Object(
        {
          status: Type.Optional(Type.Enum(["not_sent", "sent", "expired", "verified"], { type: "string" })),
          sent_at: optionalNullableDateTime(),
          expires_at: optionalNullableDateTime(),
          verified_at: optionalNullableDateTime(),
          deadline: optionalNullableDateTime(),
          retrigger_available_at: optionalNullableDateTime(),
          retriggers: Type.Optional(Type.Integer()),
          warnings: Type.Optional(Type.Array(Type.String())),
        },
        { description: "Sole proprietors: the verification text TCR sends to the customer's mobile." },
      ),
    ),
  ),
  created_at: Type.Optional(dateTime),
  updated_at: Type.Optional(dateTime),
  approved_at: optionalNullableDateTime(),
});
