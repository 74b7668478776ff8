import { CONTENT_TYPES, badRequest } from "./model.js";

/**
 * A Content create/update body in its canonical (wire) spelling. twilio-node types the body in
 * camelCase (`friendlyName`, `types.twilioText`, `addSecurityRecommendation`) but posts it
 * verbatim, so both spellings reach the API; we store snake_case with `twilio/text` keys.
 */
export interface TemplateBody {
  friendly_name: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
}

/** twilioCallToAction → twilio/call-to-action; whatsappAuthentication → whatsapp/authentication. */
export function typeKey(key: string): string {
  if (key.includes("/")) return key;
  const m = /^(twilio|whatsapp)([A-Z].*)$/.exec(key);
  if (!m) return key;
  return `${m[1]}/${m[2].replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** Object keys in snake_case, all the way down (values untouched). */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), snakeKeys(v)]));
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/** Validates and normalises a create (or PUT) body. */
export function parseTemplate(json: unknown): TemplateBody {
  if (!isObject(json)) throw badRequest("The request body must be a JSON object");
  const language = json.language;
  if (typeof language !== "string" || !language) throw badRequest("Missing required parameter language");
  const name = json.friendly_name ?? json.friendlyName ?? "";
  if (typeof name !== "string") throw badRequest("friendly_name must be a string");
  const variables = json.variables ?? {};
  if (!isObject(variables) || Object.values(variables).some((v) => typeof v !== "string"))
    throw badRequest("variables must be an object of strings");
  if (!isObject(json.types) || Object.keys(json.types).length === 0)
    throw badRequest("Missing required parameter types");

  const types: TemplateBody["types"] = {};
  for (const [rawKey, rawValue] of Object.entries(json.types)) {
    if (rawValue === null || rawValue === undefined) continue; // the SDK's typed class may carry nulls
    const key = typeKey(rawKey);
    if (!(CONTENT_TYPES as readonly string[]).includes(key))
      throw badRequest(`Unknown content type ${rawKey}`);
    if (!isObject(rawValue)) throw badRequest(`${key} must be an object`);
    types[key] = snakeKeys(rawValue) as Record<string, unknown>;
  }
  if (Object.keys(types).length === 0) throw badRequest("Missing required parameter types");
  checkTypes(types);
  return { friendly_name: name, language, variables: variables as Record<string, string>, types };
}

function checkTypes(types: TemplateBody["types"]) {
  const text = types["twilio/text"];
  if (text) {
    if (typeof text.body !== "string" || !text.body) throw badRequest("twilio/text requires a body");
    if (text.body.length > 1600) throw badRequest("twilio/text body must be at most 1600 characters");
  }
  const media = types["twilio/media"];
  if (media && (!Array.isArray(media.media) || media.media.length === 0))
    throw badRequest("twilio/media requires at least one media URL");
  const location = types["twilio/location"];
  if (location && (typeof location.latitude !== "number" || typeof location.longitude !== "number"))
    throw badRequest("twilio/location requires numeric latitude and longitude");
}

/** The text a reviewer reads: the body of the primary type, when it has one. */
export function bodyText(types: TemplateBody["types"], type: string): string {
  const body = types[type]?.body;
  return typeof body === "string" ? body : "";
}
