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

/**
 * A body validator for a schema checked inside a handler (each item of a batch), with the same
 * rules as the bodies Fastify checks: formats, defaults, no coercion.
 */
export function bodyValidator(schema: object) {
  return makeAjv(false).compile(schema);
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

/** No request of this API nests deeper; deeper bodies are refused before anything walks them. */
export const MAX_DEPTH = 64;

export function findUnstorableText(value: unknown, root = ""): FieldProblem[] {
  const found: FieldProblem[] = [];
  // Iterative: a hostile body can nest thousands of levels, more than the call stack.
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (pending.length > 0 && found.length < 20) {
    const item = pending.pop()!;
    if (typeof item.value === "string") {
      if (item.value.includes("\u0000")) {
        found.push({
          path: item.path || "/",
          code: "invalid_characters",
          message: "Contains a NUL character (U+0000).",
        });
      } else if (LONE_SURROGATE.test(item.value)) {
        found.push({
          path: item.path || "/",
          code: "invalid_characters",
          message: "Contains a lone UTF-16 surrogate.",
        });
      }
    } else if (item.value !== null && typeof item.value === "object") {
      if (item.depth >= MAX_DEPTH) {
        found.push({
          path: item.path || "/",
          code: "too_deep",
          message: `Nested more than ${MAX_DEPTH} levels deep.`,
        });
        continue;
      }
      const entries = Array.isArray(item.value) ? item.value.entries() : Object.entries(item.value);
      for (const [key, child] of entries) {
        const path = `${item.path}/${key}`;
        if (typeof key === "string") pending.push({ value: key, path, depth: item.depth + 1 });
        pending.push({ value: child, path, depth: item.depth + 1 });
      }
    }
  }
  return found;
}
