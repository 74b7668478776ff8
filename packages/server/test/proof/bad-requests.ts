/**
 * fast-check arbitraries for hostile input: strings that break naive code (lone surrogates,
 * RTL overrides, zero-width and NUL characters, SQL and template injection, 1 MB), junk JSON, numbers past what a column holds,
 * and requests built from a valid one by breaking exactly one thing.
 */
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import fc from "fast-check";
import { type JsonSchema, type Operation, typesOf } from "./openapi.js";
import { sample } from "./schema-sample.js";

const NASTY = [
  "\uD800",
  "a\uDFFFb",
  "\uDBFF\uDBFF",
  "\u202Eevil\u202C.exe",
  "\u200F\u200E\u061C",
  "\u200B\u200C\u200D\u2060\uFEFF",
  "\u0000",
  "x\u0000y",
  "\u0001\u001F\u007F",
  "'; DROP TABLE tenants; --",
  "' OR '1'='1",
  '" OR 1=1 --',
  "1; SELECT pg_sleep(5)",
  "$1",
  "%00%27",
  "../../../../etc/passwd",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, literally
  "${jndi:ldap://127.0.0.1/x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "\\",
  "\r\n\r\nX-Injected: 1",
  "ﷺ",
  "🏳️‍🌈👩‍👩‍👧‍👦",
  "Z̷̢̛̛̖̗a̶l̴g̵o̸",
  " ",
  "",
  "null",
  "NaN",
  "-1",
  "1e309",
  "9".repeat(400),
];

/** 1 MB: as ASCII it fits under the 1 MiB body limit (so validation sees it); as UCS-2 it does not. */
export const HUGE = ["x".repeat(1_000_000), "é".repeat(600_000)];

export const nastyString = (huge = true): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
    { weight: huge ? 1 : 0, arbitrary: fc.constantFrom(...HUGE) },
  );

/** Any JSON value, nested junk included (deep arrays, odd keys, huge numbers). */
export const junkJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(nastyString(false), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.integer({ min: 50, max: 3_000 }).map((depth) => nest(depth)),
  fc.constantFrom(Number.MAX_SAFE_INTEGER * 10, -0, 1e300, [], {}, null, true, "", [[[]]]),
);

function nest(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** A JSON value whose type the schema does not admit. */
export function wrongTypeFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const admits = new Set(typesOf(schema));
  if (admits.has("number")) admits.add("integer");
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ["string", nastyString(false)],
    ["number", fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n))],
    ["integer", fc.integer()],
    ["boolean", fc.boolean()],
    ["array", fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })],
    ["object", fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })],
    ["null", fc.constant(null)],
  ];
  const wrong = candidates.filter(([t]) => !admits.has(t) && !(t === "integer" && admits.has("number")));
  return fc.oneof(...wrong.map(([, a]) => a));
}

export interface BadRequest {
  /** What was broken, for the failure message. */
  what: string;
  /** Whether the server must refuse it (false: it may be accepted, but must never 5xx). */
  mustRefuse: boolean;
  body?: unknown;
  raw?: string;
  contentType?: string;
  /** Path values to use instead of the real ones. Raw (already percent-encoded). */
  pathOverride?: Record<string, string>;
  query?: string;
}

const ajv = new Ajv({ strict: false, allErrors: false });
(createRequire(import.meta.url)("ajv-formats") as (a: Ajv) => Ajv)(ajv);

/** Whether `value` passes `schema` as the server's strict body validator would judge it. */
export function validates(schema: JsonSchema, value: unknown): boolean {
  try {
    return ajv.validate(schema, value) as boolean;
  } catch {
    return false;
  }
}

const BODY_LIMIT = 1024 * 1024;

const typed = (s: JsonSchema | undefined) => Boolean(s) && typesOf(s!).length > 0;

/** Requests that break one thing of `op`'s valid request. */
export function badRequests(op: Operation): fc.Arbitrary<BadRequest> {
  const arbs: fc.Arbitrary<BadRequest>[] = [];
  const schema = op.body;
  const base = schema ? (sample(schema) as Record<string, unknown>) : undefined;
  const props: Record<string, JsonSchema> = schema?.properties ?? {};
  const typedProps = Object.keys(props).filter((k) => typed(props[k]));
  if (schema) {
    arbs.push(
      junkJson
        .filter((v) => !typesOf(schema).includes(Array.isArray(v) ? "array" : v === null ? "null" : typeof v))
        .map((body) => ({ what: "a body of the wrong JSON type", mustRefuse: true, body })),
    );
    arbs.push(
      fc
        .constantFrom('{"a":', "{'a':1}", "[1,2", "\u0000", "{}}", '{"a":1,}', "NaN", '{"a":1}{')
        .map((raw) => ({ what: "malformed JSON", mustRefuse: true, raw })),
    );
  }
  if (schema && typedProps.length) {
    arbs.push(
      fc.constantFrom(...typedProps).chain((k) =>
        wrongTypeFor(props[k]).map((v) => ({
          what: `a wrong type in /${k}`,
          mustRefuse: true,
          body: { ...base, [k]: v },
        })),
      ),
    );
  }
  const required: string[] = (schema?.required ?? []).filter((k: string) => base && k in base);
  if (required.length) {
    arbs.push(
      fc.constantFrom(...required).map((k) => {
        const body = { ...base };
        delete body[k];
        return { what: `missing /${k}`, mustRefuse: true, body };
      }),
    );
  }
  if (schema?.additionalProperties === false && base) {
    arbs.push(
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 20 }), junkJson)
        .filter(([k]) => !(k in props))
        .map(([k, v]) => ({
          what: `an unknown field ${JSON.stringify(k)}`,
          mustRefuse: true,
          body: { ...base, [k]: v },
        })),
    );
  }
  const stringProps = typedProps.filter((k) => typesOf(props[k]).includes("string"));
  if (base && stringProps.length) {
    arbs.push(
      fc.tuple(fc.constantFrom(...stringProps), nastyString()).map(([k, v]) => ({
        what: `an odd string in /${k}`,
        mustRefuse: !validates(props[k], v) || Buffer.byteLength(JSON.stringify(v)) > BODY_LIMIT,
        body: { ...base, [k]: v },
      })),
    );
  }
  if (schema) {
    arbs.push(
      fc
        .constantFrom("text/plain", "application/x-www-form-urlencoded", "application/xml")
        .map((contentType) => ({
          what: `Content-Type ${contentType}`,
          mustRefuse: true,
          raw: "a=1",
          contentType,
        })),
    );
  }
  const pathNames = op.params.filter((p) => p.in === "path").map((p) => p.name);
  if (pathNames.length) {
    arbs.push(
      fc
        .tuple(
          fc.constantFrom(...pathNames),
          nastyString(false).filter((s) => s.length > 0),
        )
        .map(([name, v]) => ({
          what: `an odd {${name}}`,
          mustRefuse: false,
          body: base,
          pathOverride: { [name]: percentEncode(v) },
        })),
    );
  }
  arbs.push(
    fc
      .tuple(
        fc.constantFrom(
          ...op.params.filter((p) => p.in === "query").map((p) => p.name),
          "zz_unknown",
          "limit",
        ),
        nastyString(false),
      )
      .map(([name, v]) => ({
        what: `an odd query ${name}`,
        mustRefuse: false,
        body: base,
        query: `${encodeURIComponent(name)}=${percentEncode(v)}`,
      })),
  );
  const outOfRange = outOfRangeRequests(op);
  if (outOfRange.length) arbs.push(fc.constantFrom(...outOfRange));
  return fc.oneof(...arbs);
}

/**
 * Numbers just past the usual column types (PostgreSQL integer, bigint, numeric(12,3)) and
 * JavaScript's safe integers: a schema without a maximum lets them through to a column that
 * overflows (a 5xx) unless something else refuses them first.
 */
export const OUT_OF_RANGE = [2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 2 ** 63, 1e12, 1e300];

export interface NumericField {
  /** Property names from the body's root (nested objects included). */
  path: string[];
  schema: JsonSchema;
}

/** Every integer or number property of a body schema, in nested objects too (not in arrays or maps). */
export function numericFields(schema: JsonSchema | null | undefined, path: string[] = []): NumericField[] {
  if (!schema || path.length > 4) return [];
  const types = typesOf(schema);
  if (types.includes("integer") || types.includes("number")) return [{ path, schema }];
  if (!types.includes("object")) return [];
  return Object.entries<JsonSchema>(schema.properties ?? {}).flatMap(([name, prop]) =>
    numericFields(prop, [...path, name]),
  );
}

/**
 * The valid sample, and the sample with each enum-valued field set to each of its values: a
 * number may only reach the database for one kind of resource (an error code only matters
 * to an error_code_spike alert rule), so each kind gets its chance.
 */
export function variantsOf(schema: JsonSchema, base: Record<string, unknown>): Record<string, unknown>[] {
  const out = [base];
  for (const [name, prop] of Object.entries<JsonSchema>(schema.properties ?? {})) {
    if (!(name in base) || !Array.isArray(prop.enum)) continue;
    for (const v of prop.enum) if (v !== base[name] && v !== null) out.push({ ...base, [name]: v });
  }
  return out;
}

/** `base` with `value` at `path`, filling absent parent objects with their sample. */
function withValueAt(schema: JsonSchema, base: Record<string, unknown>, path: string[], value: unknown) {
  const out = structuredClone(base);
  let node: Record<string, unknown> = out;
  let nodeSchema = schema;
  for (const name of path.slice(0, -1)) {
    nodeSchema = nodeSchema.properties?.[name] ?? {};
    const child = node[name];
    node[name] = child && typeof child === "object" ? child : sample(nodeSchema);
    node = node[name] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
  return out;
}

/**
 * Every out-of-range number in every numeric body field (for every enum variant of the body)
 * and every numeric query parameter of `op`. What the schema forbids must be refused; what it
 * admits must still never be a 5xx.
 */
export function outOfRangeRequests(op: Operation): BadRequest[] {
  const out: BadRequest[] = [];
  const schema = op.body;
  if (schema && op.method !== "DELETE") {
    const base = sample(schema) as Record<string, unknown>;
    for (const variant of variantsOf(schema, base)) {
      const label = variant === base ? "" : ` (${JSON.stringify(variant).slice(0, 80)})`;
      for (const field of numericFields(schema)) {
        for (const value of OUT_OF_RANGE) {
          out.push({
            what: `${value} in /${field.path.join("/")}${label}`,
            mustRefuse: !validates(field.schema, value),
            body: withValueAt(schema, variant, field.path, value),
          });
        }
      }
    }
  }
  for (const p of op.params.filter((q) => q.in === "query")) {
    const types = typesOf(p.schema);
    if (!types.includes("integer") && !types.includes("number")) continue;
    for (const value of OUT_OF_RANGE) {
      out.push({
        what: `${value} in query ${p.name}`,
        mustRefuse: !validates(p.schema, value),
        body: schema ? sample(schema) : undefined,
        query: `${encodeURIComponent(p.name)}=${encodeURIComponent(String(value))}`,
      });
    }
  }
  return out;
}

/** Percent-encodes any UTF-16 string, lone surrogates included (as invalid UTF-8 bytes). */
export function percentEncode(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += "%ED%A0%80";
    else out += encodeURIComponent(ch);
  }
  return out;
}
