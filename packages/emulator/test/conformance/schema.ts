import type { Ajv } from "ajv";

/**
 * Twilio's OpenAPI 3.0 schemas translated to JSON Schema for Ajv:
 *
 * - `nullable: true` becomes a `null` member of `type` (and of `enum`, when there is one).
 * - `$ref: "#/components/schemas/X"` points at the document's schemas, registered once per
 *   document under `$defs`.
 * - `x-twilio*` and the other `x-` extensions, `example` and `discriminator` are annotations and
 *   are dropped.
 *
 * Leniencies, each because Twilio's own documents (and their named examples) require it:
 *
 * - In the 2010 document `format: uri` is checked as a URI *reference*: it documents `uri`,
 *   `first_page_uri`, `next_page_uri`… as `format: uri` while every example (and the real API)
 *   answers with paths relative to https://api.twilio.com. The v1/v2 documents keep absolute URIs.
 * - `format: phone-number` accepts any non-empty string: the same fields hold E.164 numbers,
 *   short codes, alphanumeric sender IDs and channel addresses (`whatsapp:+1…`).
 * - Formats that Twilio puts on objects (`uri-map`, `phone-number-capabilities`, `ice-server`)
 *   are annotations: a format never constrains an object in JSON Schema.
 * - `date-time-rfc-2822` (2010 dates) is checked strictly: `Thu, 24 Aug 2023 05:01:45 +0000`, a
 *   real date whose weekday matches (the SDK parses these). Any numeric offset is accepted as
 *   RFC 2822 allows, because the Recording examples answer `+0100` where the text says GMT.
 * - A property whose schema is a `$ref` to an enum (`*_enum_*`) also accepts `null`: OpenAPI 3.0
 *   cannot put `nullable` beside a `$ref`, and the examples answer null there (a pending sole
 *   proprietor brand's `identity_status`, a running conference's `reason_conference_ended`).
 * - 2010 `type: number` also accepts a decimal string: the examples (and the live API) answer
 *   `price: "-0.0025"` on recordings and transcriptions and `latitude: "19.720000"` on available
 *   phone numbers, where the schema says number.
 * - 2010 nullable SID fields also accept `""`: the IncomingPhoneNumber examples answer
 *   `sms_application_sid: ""` and `voice_application_sid: ""` for a number with no TwiML app.
 * - In Lookups v2 every property accepts `null`: that document never declares nullability, yet
 *   every example answers `null` for the data packages that were not requested
 *   (`caller_name`, `line_type_intelligence`, …) and for `error_code` inside the ones that were.
 *
 * Stricter than the documents, as the live API and the examples are: a response carries exactly
 * the documented properties. The documents almost never say `required` or
 * `additionalProperties: false`, so Ajv alone would accept a misspelt or a forgotten field; here
 * an undocumented property is a finding, and so is a documented one that is missing (Twilio
 * answers `null`, never omits). Every named example in the documents has every documented
 * property, except these omissions, which are allowed:
 * - AvailablePhoneNumbers lists carry only `available_phone_numbers` and `uri` (no paging fields).
 * - `capabilities` (format `phone-number-capabilities`) may omit `fax`.
 * Schemas that declare their own `required` or `additionalProperties` keep them.
 */

const DROPPED = new Set(["nullable", "example", "discriminator", "xml", "externalDocs"]);

/** An OpenAPI 3.0 schema as JSON Schema (see the header comment for the rules and leniencies). */
export function toJsonSchema(node: any, document: string): any {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, document));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (DROPPED.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref") out.$ref = value.replace(/^#\/components\/schemas\//, `${document}#/$defs/`);
    else if (key === "properties")
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, s]) => [name, property(s, document)]),
      );
    else if (["items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"].includes(key))
      out[key] = toJsonSchema(value, document);
    else if (key === "format" && value === "uri" && document === "twilio_api_v2010")
      out.format = "uri-reference";
    else out[key] = value;
  }
  if (out.properties) {
    if (!("additionalProperties" in out)) out.additionalProperties = false;
    if (!out.required) out.required = expected(node);
  }
  const is2010 = document === "twilio_api_v2010";
  if (node.nullable === true) {
    if (out.type !== undefined) out.type = [out.type, "null"].flat();
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (
      is2010 &&
      typeof out.pattern === "string" &&
      /^\^\(?[A-Z|]+\)?\[0-9a-fA-F\]\{32\}\$$/.test(out.pattern)
    )
      return { anyOf: [out, { const: "" }] };
    if (out.$ref !== undefined && out.type === undefined) return { anyOf: [out, { type: "null" }] };
  }
  if (is2010 && [out.type].flat().includes("number"))
    return { anyOf: [out, { type: "string", pattern: "^-?[0-9]+(\\.[0-9]+)?$" }] };
  return out;
}

/** The properties a response must carry: every documented one, but for the documented omissions. */
function expected(node: any): string[] {
  const names = Object.keys(node.properties);
  if (names.includes("available_phone_numbers")) return ["available_phone_numbers", "uri"];
  if (node.format === "phone-number-capabilities") return names.filter((n) => n !== "fax");
  return names;
}

/** A property's schema, with the per-property leniencies. */
function property(schema: any, document: string): any {
  const converted = toJsonSchema(schema, document);
  const enumRef = typeof schema.$ref === "string" && schema.$ref.includes("_enum_");
  const nullable = schema.nullable === true;
  if (!nullable && (enumRef || document === "twilio_lookups_v2"))
    return { anyOf: [converted, { type: "null" }] };
  return converted;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const RFC2822 =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) \d{2}:\d{2}:\d{2} ([+-])(\d{2})(\d{2})$/;

/** Twilio's own format names (see the header comment for why each is strict or lenient). */
export function addTwilioFormats(ajv: Ajv) {
  ajv.addFormat("date-time-rfc-2822", (s: string) => {
    const m = RFC2822.exec(s);
    if (!m || !MONTHS.includes(m[3])) return false;
    const offset = (m[5] === "-" ? -1 : 1) * (Number(m[6]) * 60 + Number(m[7])) * 60_000;
    const local = new Date(new Date(s).getTime() + offset);
    if (Number.isNaN(local.getTime())) return false;
    return local.getUTCDate() === Number(m[2]) && DAYS[local.getUTCDay()] === m[1];
  });
  ajv.addFormat("phone-number", (s: string) => s.length > 0);
  ajv.addFormat("http-method", /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/);
  ajv.addFormat("currency", /^[A-Za-z]{3}$/);
  ajv.addFormat("iso-country-code", /^[A-Z]{2}$/);
  for (const annotation of ["uri-map", "phone-number-capabilities", "ice-server"])
    ajv.addFormat(annotation, true);
}
