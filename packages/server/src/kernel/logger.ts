import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config/config.js";

/**
 * Structured JSON logs. Secrets never reach them: request logs carry method, URL, route and
 * status only (no headers, no bodies), these paths are redacted wherever they appear, and
 * errors are logged without what they carry (serializeError). End users' phone numbers are
 * masked (maskPhone) in fields, URLs, messages and, as a last resort, anywhere in a line.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-twilio-signature']",
  "headers.authorization",
  "authorization",
  "*.authorization",
  "password",
  "*.password",
  "token",
  "*.token",
  "auth_token",
  "*.auth_token",
  "authToken",
  "*.authToken",
  "secret",
  "*.secret",
  "key_secret",
  "*.key_secret",
  "api_key",
  "*.api_key",
  "body",
  "*.body",
];

/**
 * A phone number as logs show it: "+", its first digits (four of an 11-digit number: for North
 * America the country and area code; fewer for shorter numbers, so that at least five stay
 * hidden), "***", and its last two: +14155550123 → +1415***23. Enough to tell numbers apart
 * in an investigation, too little to call one.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 7) return phone;
  const head = Math.max(1, Math.min(4, digits.length - 7));
  return `${phone.trim().startsWith("+") ? "+" : ""}${digits.slice(0, head)}***${digits.slice(-2)}`;
}

/** E.164 numbers, "+" or percent-encoded "%2B": a "+" never starts a JSON number, so masking is JSON-safe. */
const E164_IN_TEXT = /(\+|%2[Bb])([1-9]\d{6,14})(?!\d)/g;
/** Numbers without "+": 8 to 15 digits alone, or North American 415-555-0123 / (415) 555 0123. */
const BARE_IN_TEXT = /(?<![\w.*+%-])(\d{8,15}|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4})(?![\w*])/g;

/** Every E.164 number in `text`, masked. */
export function maskPhones(text: string): string {
  return text.replace(E164_IN_TEXT, (_, plus: string, digits: string) => plus + maskPhone(digits));
}

/** Also numbers written without "+", for text that is not JSON (messages, URLs, error text). */
export function maskPhonesLoosely(text: string): string {
  return maskPhones(text).replace(BARE_IN_TEXT, (m) => maskPhone(m));
}

const PHONE_LIKE = /^\+?[\d\s().-]+$/;
const DATE = /^\d{4}-\d{2}(-\d{2})?$/;

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A request URL with every path segment and query value that is a phone number masked. */
export function maskUrl(url: string): string {
  const mask = (part: string) => {
    const value = decoded(part);
    return PHONE_LIKE.test(value) && !DATE.test(value) ? maskPhone(value) : maskPhonesLoosely(part);
  };
  const [path, query] = url.split(/\?(.*)/s, 2);
  const maskedPath = path.split("/").map(mask).join("/");
  if (query === undefined) return maskedPath;
  const pairs = query.split("&").map((pair) => {
    const at = pair.indexOf("=");
    return at < 0 ? mask(pair) : `${pair.slice(0, at + 1)}${mask(pair.slice(at + 1))}`;
  });
  return `${maskedPath}?${pairs.join("&")}`;
}

/** Fields that hold an end user's number: masked, not removed. */
const PHONE_FIELDS = ["to", "from", "phone", "number", "phone_number"];
const PHONE_PATHS = PHONE_FIELDS.flatMap((f) => [f, `*.${f}`]);

function censor(value: unknown, path: string[]): unknown {
  if (!PHONE_FIELDS.includes(path[path.length - 1])) return "[redacted]";
  return typeof value === "string" ? maskPhonesLoosely(value) : value;
}

const ERROR_FIELDS = ["code", "status", "statusCode", "errno", "syscall", "moreInfo", "twilio_code"];
const ERROR_TEXT_FIELDS = ["constraint", "table", "column", "routine", "hint"];

/**
 * Errors as logs show them: what went wrong and where, never what an error object happens to
 * carry (the Twilio SDK's HTTP errors hold the request: Authorization header and form body;
 * a database error's `detail` can hold a row).
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (typeof err !== "object" || err === null) return maskPhonesLoosely(String(err));
  const e = err as Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: (e.constructor as { name?: string } | undefined)?.name ?? "Object",
    message: maskPhonesLoosely(String(e.message ?? "")),
  };
  if (typeof e.stack === "string") out.stack = maskPhonesLoosely(e.stack);
  for (const k of ERROR_FIELDS) {
    if (typeof e[k] === "string" || typeof e[k] === "number") out[k] = e[k];
  }
  for (const k of ERROR_TEXT_FIELDS) if (typeof e[k] === "string") out[k] = maskPhonesLoosely(e[k] as string);
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  if (Array.isArray(e.errors) && depth < 3)
    out.errors = e.errors.slice(0, 5).map((x) => serializeError(x, depth + 1));
  return out;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "subtext" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS, ...PHONE_PATHS], censor },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string; routeOptions?: { url?: string } }) => ({
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : maskUrl(req.url),
          route: req.routeOptions?.url,
        }),
        res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
        err: (err: unknown) => serializeError(err),
      },
      hooks: {
        // Messages are our own text, but they quote input and Twilio's errors ("+1415… has
        // opted out", "\"4155550100\" is not in E.164 form").
        logMethod(args, method) {
          const masked = args.map((a: unknown) => (typeof a === "string" ? maskPhonesLoosely(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
        // The last line of defence: any E.164 number left anywhere in the line.
        streamWrite: maskPhones,
      },
    },
    destination,
  );
}
