/** Schemas of the messaging routes' inputs (outputs are in view.ts and next to each route). */
import { Dictionary, Nullable, Type } from "../../kernel/schema.js";

export const messageIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const idempotencyHeader = Type.Object({
  "idempotency-key": Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

const keywordList = Type.Array(Type.String({ pattern: "^[A-Za-z0-9]{1,30}$" }), { maxItems: 20 });
const reply = Type.String({ minLength: 1, maxLength: 320 });
const languageProperties = {
  keywords: Type.Optional(
    Type.Object(
      {
        opt_out: Type.Optional(keywordList),
        opt_in: Type.Optional(keywordList),
        help: Type.Optional(keywordList),
      },
      { additionalProperties: false },
    ),
  ),
  replies: Type.Optional(
    Type.Object(
      { opt_out: Type.Optional(reply), opt_in: Type.Optional(reply), help: Type.Optional(reply) },
      { additionalProperties: false },
    ),
  ),
};
const languageConfig = Type.Object(languageProperties, { additionalProperties: false });

export const keywordRepliesBody = Type.Object(
  {
    messaging_service_id: Type.Optional(Nullable(Type.String({ pattern: "^MG[0-9a-fA-F]{32}$" }))),
    brand_name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    ...languageProperties,
    languages: Type.Optional(
      Dictionary(languageConfig, {
        maxProperties: 20,
        propertyNames: { pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$" },
      }),
    ),
  },
  { additionalProperties: false },
);
