/**
 * The schemas of the API, written once with TypeBox: each is the JSON Schema that Fastify
 * validates and /openapi.json shows, and its `Static` type is what the handler receives (Fastify's
 * TypeBox type provider), so no route pairs a schema with a hand-written generic. Inputs are
 * inline per route (and refuse unknown fields); outputs reference shared schemas by $id so the
 * document has named components.
 */
import { Nullable, OpenObject, Ref, Type } from "../kernel/schema.js";

export type { Routes, RoutesApp } from "../kernel/module.js";

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ examples: ["invalid_request"] }),
      message: Type.String(),
      hint: Type.Optional(Type.String()),
      twilio_code: Type.Optional(Type.Integer()),
      details: Type.Optional(Type.Array(OpenObject())),
    }),
  },
  { $id: "Error", description: "Every error has this shape, with a stable machine code." },
);

export const SHARED_SCHEMAS = [ErrorSchema] as const;

const ERROR_TEXT: Record<number, string> = {
  400: "Malformed request (invalid JSON, wrong types, unknown fields)",
  401: "Missing or invalid credentials",
  403: "Not allowed for these credentials, or the tenant is suspended",
  404: "Not found (or not visible to this tenant)",
  409: "Conflicts with the resource's state",
  413: "Body too large",
  422: "Validation findings in details",
  429: "Too many requests",
  503: "A dependency (database, Twilio) is unavailable; retry",
};

/** A route's response map: its successes plus the shared error shape for the given statuses. */
export function responses(
  ok: Record<number, object>,
  errors: number[] = [400, 401, 403],
): Record<number, object> {
  const out: Record<number, object> = { ...ok };
  for (const status of errors) out[status] = Ref("Error", { description: ERROR_TEXT[status] ?? "Error" });
  return out;
}

export const idParam = (prefix: string) =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    description: `A ${prefix}… id`,
    examples: [`${prefix}01JC0000000000000000000000`],
  });

export const dateTime = Type.String({ format: "date-time" });
export const nullableDateTime = Nullable(Type.String({ format: "date-time" }));
