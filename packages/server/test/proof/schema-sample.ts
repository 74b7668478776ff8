/**
 * A valid value for a JSON schema (the smallest reasonable one), so the proofs can build a
 * request that passes the schema and then break exactly one thing in it. Deterministic: the
 * same schema gives the same sample.
 */
import fc from "fast-check";
import { type JsonSchema, typesOf } from "./openapi.js";

const FORMATS: Record<string, string> = {
  "date-time": "2030-01-01T00:00:00.000Z",
  date: "2030-01-01",
  email: "proof@example.com",
  uri: "https://example.com/proof",
  url: "https://example.com/proof",
  ipv4: "203.0.113.7",
  ipv6: "2001:db8::7",
  uuid: "00000000-0000-4000-8000-000000000000",
};

export function sample(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v: unknown) => v !== null) ?? schema.enum[0];
  const example = Array.isArray(schema.examples) ? schema.examples[0] : schema.example;
  if (example !== undefined) return structuredClone(example);
  if (schema.default !== undefined) return structuredClone(schema.default);
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(schema[k]) && schema[k].length) {
      const first = schema[k].find((s: JsonSchema) => !typesOf(s).includes("null")) ?? schema[k][0];
      return sample({ ...schema, [k]: undefined, ...first }, depth + 1);
    }
  }
  const types = typesOf(schema).filter((t) => t !== "null");
  switch (types[0]) {
    case "string":
      return sampleString(schema);
    case "integer":
    case "number":
      return sampleNumber(schema, types[0] === "integer");
    case "boolean":
      return false;
    case "array": {
      const n = Math.max(1, schema.minItems ?? 0);
      return Array.from({ length: n }, () => sample(schema.items ?? { type: "string" }, depth + 1));
    }
    case "object":
      return sampleObject(schema, depth);
    default:
      return typesOf(schema).includes("null") ? null : {};
  }
}

function sampleString(schema: JsonSchema): string {
  if (schema.format && FORMATS[schema.format]) return FORMATS[schema.format];
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
  if (schema.pattern) {
    const re = new RegExp(schema.pattern, "u");
    const fits = (s: string) => s.length >= min && s.length <= max && re.test(s);
    for (const s of fc.sample(fc.stringMatching(re), { numRuns: 200, seed: 7 })) if (fits(s)) return s;
  }
  return "proof".padEnd(Math.max(min, 5), "x").slice(0, Math.min(Math.max(min, 5), max));
}

function sampleNumber(schema: JsonSchema, integer: boolean): number {
  let n = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
  if (schema.maximum !== undefined) n = Math.min(n, schema.maximum);
  return integer ? Math.ceil(n) : n;
}

function sampleObject(schema: JsonSchema, depth: number): Record<string, unknown> {
  const props: Record<string, JsonSchema> = schema.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const name of schema.required ?? []) out[name] = sample(props[name] ?? { type: "string" }, depth + 1);
  // minProperties: add optional ones, preferring harmless kinds (strings, numbers) to flags.
  const optional = Object.keys(props)
    .filter((k) => !(k in out))
    .sort((a, b) => rank(props[a]) - rank(props[b]));
  for (const name of optional) {
    if (Object.keys(out).length >= (schema.minProperties ?? 0)) break;
    out[name] = sample(props[name], depth + 1);
  }
  return out;
}

const rank = (s: JsonSchema) => (typesOf(s).includes("boolean") ? 2 : s.enum ? 1 : 0);
