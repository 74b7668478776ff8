import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";

/**
 * The only place that reads the environment. Everything else receives a frozen `Config`.
 * Start-up fails fast with one message per bad variable, naming it and the fix.
 */
export type Mode = "sandbox" | "live";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Master keys from SUBTEXT_MASTER_KEY (first = current); empty → key file in the data dir. */
  readonly masterKeys: readonly Buffer[];
  readonly adminToken: string | undefined;
  /** Base URL Twilio calls back; absent → the API's own URL once it listens. */
  readonly publicUrl: string | undefined;
  readonly emulatorPort: number;
  /** Interface the sandbox emulator listens on (SUBTEXT_EMULATOR_HOST; loopback by default). */
  readonly emulatorHost: string;
  /**
   * The sandbox emulator's control-API token (SUBTEXT_EMULATOR_CONTROL_TOKEN); absent → one
   * generated in the data dir. `subtext emulator` without it leaves the control API open.
   */
  readonly emulatorControlToken: string | undefined;
  readonly mode: Mode;
  readonly twilio: { readonly accountSid: string; readonly authToken: string } | undefined;
  readonly logLevel: LogLevel;
  /**
   * Whether tenant webhooks may target loopback/private addresses (SUBTEXT_ALLOW_PRIVATE_WEBHOOKS;
   * default: yes in sandbox mode, no in live mode — an SSRF guard).
   */
  readonly allowPrivateWebhooks: boolean;
  /**
   * The ISV's approved primary customer profile (BU…) that backs every tenant's Trust Hub
   * profile (SUBTEXT_PRIMARY_PROFILE_SID); absent → discovered in the parent account.
   */
  readonly primaryProfileSid: string | undefined;
  /** A bearer token that may read /metrics besides the admin token (SUBTEXT_METRICS_TOKEN). */
  readonly metricsToken: string | undefined;
  /**
   * Rate limits at the door, the defaults for every tenant (each tenant may have its own):
   * requests per second per API key (SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND) and messages
   * submitted per minute per tenant (SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE); 0 = no limit.
   */
  readonly rateLimits: { readonly requestsPerSecond: number; readonly messagesPerMinute: number };
  /**
   * Which proxies in front of the API to believe about the client's address and scheme
   * (X-Forwarded-For/-Proto), as Fastify's `trustProxy` takes it (SUBTEXT_TRUST_PROXY): false
   * (default: the socket is the client), true (any peer), or the proxies' addresses/CIDRs.
   */
  readonly trustProxy: boolean | readonly string[];
  /**
   * The operator's maximum age of messages (with their attempts and timelines) and events, in
   * whole months (SUBTEXT_MESSAGE_RETENTION_MONTHS): older month partitions are dropped.
   * Undefined (default): kept forever.
   */
  readonly messageRetentionMonths: number | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

const port = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number between 0 and 65535`)
    .transform(Number)
    .refine((n) => n <= 65535, `${name} must be between 0 and 65535`);

const count = (name: string, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number (0 = no limit)`)
    .transform(Number)
    .refine((n) => n <= max, `${name} must be at most ${max.toLocaleString("en")}`);
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const schema = z.object({
  PORT: port("PORT").default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  SUBTEXT_DATA_DIR: z.string().min(1).default("./data"),
  SUBTEXT_MASTER_KEY: z.string().optional(),
  SUBTEXT_ADMIN_TOKEN: z
    .string()
    .min(24, "SUBTEXT_ADMIN_TOKEN must be at least 24 characters (e.g. `openssl rand -hex 24`)")
    .refine(
      (t) => !t.startsWith("sk_"),
      "SUBTEXT_ADMIN_TOKEN must not start with sk_ (reserved for tenant keys)",
    )
    .optional(),
  SUBTEXT_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "SUBTEXT_PUBLIC_URL must be an absolute http(s) URL" })
    .optional(),
  SUBTEXT_EMULATOR_PORT: port("SUBTEXT_EMULATOR_PORT").optional(),
  SUBTEXT_EMULATOR_HOST: z
    .string()
    .refine(
      (h) => isIP(h) !== 0 || HOSTNAME.test(h),
      "SUBTEXT_EMULATOR_HOST must be an IP address or a host name",
    )
    .default("127.0.0.1"),
  SUBTEXT_EMULATOR_CONTROL_TOKEN: z
    .string()
    .regex(
      /^[\x21-\x7e]{24,}$/,
      "SUBTEXT_EMULATOR_CONTROL_TOKEN must be at least 24 printable characters, no spaces",
    )
    .optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, "TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters")
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, "TWILIO_AUTH_TOKEN looks too short").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SUBTEXT_PRIMARY_PROFILE_SID: z
    .string()
    .regex(
      /^BU[0-9a-fA-F]{32}$/,
      "SUBTEXT_PRIMARY_PROFILE_SID must look like BU followed by 32 hex characters",
    )
    .optional(),
  SUBTEXT_ALLOW_PRIVATE_WEBHOOKS: z
    .enum(["true", "false", "1", "0"], { error: "SUBTEXT_ALLOW_PRIVATE_WEBHOOKS must be true or false" })
    .optional(),
  SUBTEXT_METRICS_TOKEN: z
    .string()
    .min(24, "SUBTEXT_METRICS_TOKEN must be at least 24 characters (e.g. `openssl rand -hex 24`)")
    .optional(),
  SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: count("SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND", 1_000_000).default(
    100,
  ),
  SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: count(
    "SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE",
    100_000_000,
  ).default(60_000),
  SUBTEXT_TRUST_PROXY: z.string().optional(),
  SUBTEXT_MESSAGE_RETENTION_MONTHS: z
    .string()
    .regex(/^\d+$/, "SUBTEXT_MESSAGE_RETENTION_MONTHS must be a whole number of months")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1200, "SUBTEXT_MESSAGE_RETENTION_MONTHS must be between 1 and 1200")
    .optional(),
});

/** Every environment variable Subtext reads (the README's configuration table lists each). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

const FIXES: Record<string, string> = {
  PORT: "set PORT=3000 or unset it",
  SUBTEXT_EMULATOR_PORT: "unset it to use PORT+1",
  SUBTEXT_EMULATOR_HOST: "unset it for 127.0.0.1, or e.g. SUBTEXT_EMULATOR_HOST=0.0.0.0",
  SUBTEXT_EMULATOR_CONTROL_TOKEN:
    "generate one with `openssl rand -hex 24`, or unset it to use a generated one",
  DATABASE_URL:
    "e.g. DATABASE_URL=postgres://user@127.0.0.1:5432/subtext, or unset it for the embedded database",
  SUBTEXT_MASTER_KEY:
    "generate one with `openssl rand -base64 32`, or unset it to use a key file in the data dir",
  SUBTEXT_PUBLIC_URL: "e.g. SUBTEXT_PUBLIC_URL=https://subtext.example.com",
  LOG_LEVEL: "one of fatal, error, warn, info, debug, trace, silent",
  SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "e.g. 100, or 0 for no limit",
  SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "e.g. 60000, or 0 for no limit",
  SUBTEXT_MESSAGE_RETENTION_MONTHS: "e.g. 24, or unset it to keep messages and events forever",
  SUBTEXT_TRUST_PROXY:
    "false, true, or a comma-separated list of proxy addresses/CIDRs (e.g. 10.0.0.0/8,loopback)",
};

/** Reads and validates the environment; `env` defaults to process.env. */
export function loadConfig(env: Env = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.keys(schema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]?.trim()]),
  );
  const parsed = schema.safeParse(cleaned);
  const problems: string[] = [];
  for (const issue of parsed.error?.issues ?? []) {
    const name = String(issue.path[0] ?? "");
    const fix = FIXES[name] ? ` (fix: ${FIXES[name]})` : "";
    problems.push(`${name}: ${issue.message}${fix}`);
  }
  const masterKeys = parseMasterKeys(cleaned.SUBTEXT_MASTER_KEY, problems);
  const trustProxy = parseTrustProxy(cleaned.SUBTEXT_TRUST_PROXY, problems);
  if (Boolean(cleaned.TWILIO_ACCOUNT_SID) !== Boolean(cleaned.TWILIO_AUTH_TOKEN)) {
    problems.push(
      "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both (live mode, real Twilio) or neither (sandbox mode, the emulator)",
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  const live = e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN;
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.SUBTEXT_DATA_DIR),
    masterKeys,
    adminToken: e.SUBTEXT_ADMIN_TOKEN,
    publicUrl: e.SUBTEXT_PUBLIC_URL?.replace(/\/+$/, ""),
    emulatorPort: e.SUBTEXT_EMULATOR_PORT ?? (e.PORT === 0 ? 0 : e.PORT + 1),
    emulatorHost: e.SUBTEXT_EMULATOR_HOST,
    emulatorControlToken: e.SUBTEXT_EMULATOR_CONTROL_TOKEN,
    mode: live ? "live" : "sandbox",
    twilio: live
      ? Object.freeze({ accountSid: e.TWILIO_ACCOUNT_SID!, authToken: e.TWILIO_AUTH_TOKEN! })
      : undefined,
    logLevel: e.LOG_LEVEL,
    primaryProfileSid: e.SUBTEXT_PRIMARY_PROFILE_SID,
    metricsToken: e.SUBTEXT_METRICS_TOKEN,
    allowPrivateWebhooks:
      e.SUBTEXT_ALLOW_PRIVATE_WEBHOOKS === undefined
        ? !live
        : e.SUBTEXT_ALLOW_PRIVATE_WEBHOOKS === "true" || e.SUBTEXT_ALLOW_PRIVATE_WEBHOOKS === "1",
    rateLimits: Object.freeze({
      requestsPerSecond: e.SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND,
      messagesPerMinute: e.SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE,
    }),
    trustProxy,
    messageRetentionMonths: e.SUBTEXT_MESSAGE_RETENTION_MONTHS,
  };
  return Object.freeze(config);
}

/**
 * SUBTEXT_MASTER_KEY is one base64 key of 32 bytes, or a comma-separated list while rotating:
 * the first encrypts, all decrypt (`SUBTEXT_MASTER_KEY=<new>,<old>` then `subtext rotate-master-key`).
 */
function parseMasterKeys(value: string | undefined, problems: string[]): Buffer[] {
  if (!value) return [];
  const keys: Buffer[] = [];
  value.split(",").forEach((part, i) => {
    const text = part.trim();
    const key = Buffer.from(text, "base64");
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || key.length !== 32) {
      problems.push(
        `SUBTEXT_MASTER_KEY: key #${i + 1} is not 32 bytes of base64 (fix: ${FIXES.SUBTEXT_MASTER_KEY})`,
      );
    } else keys.push(key);
  });
  return keys;
}

/** proxy-addr's names for the reserved ranges, accepted by Fastify's `trustProxy` list. */
const PROXY_RANGE_NAMES = ["loopback", "linklocal", "uniquelocal"];

/**
 * SUBTEXT_TRUST_PROXY: false/true, or addresses and CIDRs (each checked here). Not a hop count:
 * Fastify 5 trusts nobody for one, since it cannot check the peer, so it would silently do nothing.
 */
function parseTrustProxy(value: string | undefined, problems: string[]): boolean | string[] {
  if (value === undefined || /^(false|off|no)$/i.test(value)) return false;
  if (/^(true|on|yes)$/i.test(value)) return true;
  if (/^\d+$/.test(value)) {
    problems.push(
      `SUBTEXT_TRUST_PROXY: a hop count is not supported (Fastify cannot check the peer with one) (fix: ${FIXES.SUBTEXT_TRUST_PROXY})`,
    );
    return false;
  }
  const entries = value.split(",").map((e) => e.trim());
  const bad = entries.filter((entry) => !PROXY_RANGE_NAMES.includes(entry) && !isAddressOrCidr(entry));
  if (bad.length > 0) {
    problems.push(
      `SUBTEXT_TRUST_PROXY: not an address or CIDR: ${bad.map((b) => JSON.stringify(b)).join(", ")} (fix: ${FIXES.SUBTEXT_TRUST_PROXY})`,
    );
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
