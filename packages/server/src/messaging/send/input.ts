import { Dictionary, OpenObject, type Static, Type } from "../../kernel/schema.js";

/** What a send carries: the body POST /v1/messages checks (and each batch item), and its type. */
export const SendInput = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "E.164, e.g. +14155552671",
      examples: ["+14155552671"],
    }),
    body: Type.Optional(
      Type.String({ maxLength: 20_000, description: "Up to 1,600 characters (Twilio's limit)" }),
    ),
    from: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "One of the tenant's numbers; default: the messaging service chooses",
      }),
    ),
    messaging_service_id: Type.Optional(
      Type.String({
        pattern: "^MG[0-9a-fA-F]{32}$",
        description: "One of the tenant's Messaging Services (a campaign's); default: the first campaign's",
      }),
    ),
    use_case: Type.Optional(
      Type.String({
        pattern: "^[A-Z0-9_]{2,40}$",
        description:
          "The A2P use case of one of the tenant's campaigns (`2FA`, `MARKETING`…): the message goes on that campaign's Messaging Service and lane",
        examples: ["2FA"],
      }),
    ),
    purpose: Type.Optional(
      Type.Enum(["marketing", "transactional", "otp"], {
        type: "string",
        description:
          "What the message is, for the destination country's rules (sending hours, opt-out wording, blocked content). Default: from use_case (2FA: otp; MARKETING or MIXED: marketing; another: transactional), else marketing",
      }),
    ),
    dlt_template_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "India: the DLT template the body is registered as (required from a DLT-registered sender ID)",
      }),
    ),
    media_urls: Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 50 })),
    send_at: Type.Optional(Type.String({ maxLength: 64, description: "ISO 8601; up to 35 days ahead" })),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    metadata: Type.Optional(OpenObject({ description: "Yours, returned as given (≤ 4 KB)" })),
    channel: Type.Optional(Type.Enum(["sms", "mms", "whatsapp"], { type: "string" })),
    smart_encoding: Type.Optional(
      Type.Boolean({ description: "Replace look-alike Unicode with GSM-7 (fewer segments)" }),
    ),
    validity_period: Type.Optional(
      Type.Integer({
        description:
          "Seconds (1–36,000) Twilio may keep the message in its queue before giving up (30036); default: Twilio's 36,000",
        examples: [600],
      }),
    ),
    content_sid: Type.Optional(Type.String({ pattern: "^HX[0-9a-fA-F]{32}$" })),
    content_variables: Type.Optional(Dictionary(Type.String())),
  },
  { additionalProperties: false },
);
export type SendInput = Static<typeof SendInput>;
