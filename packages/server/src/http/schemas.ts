/**
 * JSON schemas shared by routes and the OpenAPI document. Inputs are inline per route (and
 * refuse unknown fields); outputs reference these by $id so the document has named components.
 */
export const ErrorSchema = {
  $id: "Error",
  type: "object",
  description: "Every error has this shape, with a stable machine code.",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", examples: ["invalid_request"] },
        message: { type: "string" },
        hint: { type: "string" },
        twilio_code: { type: "integer" },
        details: { type: "array", items: { type: "object", additionalProperties: true } },
      },
    },
  },
} as const;

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
  for (const status of errors) out[status] = { description: ERROR_TEXT[status] ?? "Error", $ref: "Error#" };
  return out;
}

export const idParam = (prefix: string) => ({
  type: "string",
  minLength: 1,
  maxLength: 64,
  description: `A ${prefix}… id`,
  examples: [`${prefix}01JC0000000000000000000000`],
});

export const dateTime = { type: "string", format: "date-time" } as const;
export const nullableDateTime = { type: ["string", "null"], format: "date-time" } as const;
