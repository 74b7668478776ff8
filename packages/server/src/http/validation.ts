import { createRequire } from "node:module";
import { Ajv, type ErrorObject } from "ajv";

const require = createRequire(import.meta.url);
const addFormats = require("ajv-formats") as (ajv: Ajv) => Ajv;

/**
 * Two validators: bodies are checked strictly (no type coercion — "5" is not a number — and
 * no silent removal of unknown fields: additionalProperties:false refuses them); query strings
 * and path parameters arrive as text, so they are coerced.
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? "array" : false,
    removeAdditional: false,
    useDefaults: true,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

/** For `app.setValidatorCompiler`; `schemas` are the shared ones routes may reference by $id. */
export function createValidatorCompiler(schemas: readonly object[]) {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  for (const schema of schemas) {
    strict.addSchema(schema);
    coercing.addSchema(schema);
  }
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === "body" ? strict : coercing).compile(schema);
}

export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/** Ajv's findings as `details` entries: a JSON pointer, a stable code and a readable message. */
export function describeValidation(errors: ErrorObject[], part: string | undefined): FieldProblem[] {
  return errors.map((e) => {
    const base = `${part && part !== "body" ? `${part}:` : ""}${e.instancePath || "/"}`;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case "additionalProperties":
        return {
          path: join(base, String(params.additionalProperty)),
          code: "unknown_field",
          message: `Unknown field "${params.additionalProperty}".`,
        };
      case "required":
        return {
          path: join(base, String(params.missingProperty)),
          code: "required",
          message: `"${params.missingProperty}" is required.`,
        };
      case "type":
        return { path: base, code: "wrong_type", message: `Must be ${params.type}.` };
      case "enum":
        return {
          path: base,
          code: "not_allowed",
          message: `Must be one of: ${(params.allowedValues as unknown[]).join(", ")}.`,
        };
      default:
        return { path: base, code: e.keyword, message: capitalize(e.message ?? "is invalid") };
    }
  });
}

function join(base: string, field: string): string {
  return base.endsWith("/") ? `${base}${field}` : `${base}/${field}`;
}

function capitalize(s: string): string {
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

/**
 * Text PostgreSQL cannot store (U+0000) or UTF-8 cannot encode (a lone UTF-16 surrogate, e.g.
 * JSON "\ud800"), anywhere in a parsed body. Refused up front with 400 `invalid_characters`:
 * otherwise it fails deep inside a query (a 5xx), possibly in a group commit shared with other
 * tenants' requests.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function findUnstorableText(value: unknown, path = "", found: FieldProblem[] = []): FieldProblem[] {
  if (found.length >= 20) return found;
  if (typeof value === "string") {
    if (value.includes("\u0000")) {
      found.push({
        path: path || "/",
        code: "invalid_characters",
        message: "Contains a NUL character (U+0000).",
      });
    } else if (LONE_SURROGATE.test(value)) {
      found.push({
        path: path || "/",
        code: "invalid_characters",
        message: "Contains a lone UTF-16 surrogate.",
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findUnstorableText(item, `${path}/${i}`, found));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      findUnstorableText(key, `${path}/${key}`, found);
      findUnstorableText(item, `${path}/${key}`, found);
    }
  }
  return found;
}
