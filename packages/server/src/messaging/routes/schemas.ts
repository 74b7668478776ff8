/** JSON schemas of the messaging routes' inputs (outputs are in view.ts and next to each route). */

export const sendBody = {
  type: "object",
  required: ["to"],
  additionalProperties: false,
  properties: {
    to: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description: "E.164, e.g. +14155552671",
      examples: ["+14155552671"],
    },
    body: { type: "string", maxLength: 20_000, description: "Up to 1,600 characters (Twilio's limit)" },
    from: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description: "One of the tenant's numbers; default: the messaging service chooses",
    },
    messaging_service_id: { type: "string", pattern: "^MG[0-9a-fA-F]{32}$" },
    media_urls: { type: "array", maxItems: 50, items: { type: "string", maxLength: 2048 } },
    send_at: { type: "string", maxLength: 64, description: "ISO 8601; up to 35 days ahead" },
    idempotency_key: { type: "string", minLength: 1, maxLength: 255 },
    metadata: {
      type: "object",
      additionalProperties: true,
      description: "Yours, returned as given (≤ 4 KB)",
    },
    channel: { type: "string", enum: ["sms", "mms", "whatsapp"] },
    smart_encoding: {
      type: "boolean",
      description: "Replace look-alike Unicode with GSM-7 (fewer segments)",
    },
    content_sid: { type: "string", pattern: "^HX[0-9a-fA-F]{32}$" },
    content_variables: { type: "object", additionalProperties: { type: "string" } },
  },
} as const;

export const messageIdParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;

export const idempotencyHeader = {
  type: "object",
  properties: { "idempotency-key": { type: "string", minLength: 1, maxLength: 255 } },
} as const;

const keywordList = {
  type: "array",
  maxItems: 20,
  items: { type: "string", pattern: "^[A-Za-z0-9]{1,30}$" },
} as const;
const reply = { type: "string", minLength: 1, maxLength: 320 } as const;
const languageConfig = {
  type: "object",
  additionalProperties: false,
  properties: {
    keywords: {
      type: "object",
      additionalProperties: false,
      properties: { opt_out: keywordList, opt_in: keywordList, help: keywordList },
    },
    replies: {
      type: "object",
      additionalProperties: false,
      properties: { opt_out: reply, opt_in: reply, help: reply },
    },
  },
} as const;

export const keywordRepliesBody = {
  type: "object",
  additionalProperties: false,
  properties: {
    messaging_service_id: { type: ["string", "null"], pattern: "^MG[0-9a-fA-F]{32}$" },
    brand_name: { type: "string", minLength: 1, maxLength: 60 },
    ...languageConfig.properties,
    languages: {
      type: "object",
      maxProperties: 20,
      propertyNames: { pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$" },
      additionalProperties: languageConfig,
    },
  },
} as const;
