import type { Queryable } from "../db/db.js";
import { Nullable, type Static, Type } from "../kernel/schema.js";
import type { Services } from "../kernel/services.js";

export type TenantStatus = "provisioning" | "active" | "suspended" | "closed";
export type TenantEnvironment = "production" | "staging" | "development";
export const TENANT_ENVIRONMENTS: readonly TenantEnvironment[] = ["production", "staging", "development"];

export interface ProvisioningError {
  code: string;
  message: string;
  twilio_code?: number;
  at: string;
}

export interface TenantRow {
  id: string;
  name: string;
  environment: TenantEnvironment;
  status: TenantStatus;
  friendly_name: string;
  subaccount_sid: string | null;
  subaccount_auth_token_secret_id: string | null;
  twilio_key_sid: string | null;
  twilio_key_secret_id: string | null;
  provisioning_error: ProvisioningError | null;
  /** The operator's limits for this tenant (http/rate-limit.ts); null = the default, 0 = none. */
  rate_limit_requests_per_second: number | null;
  rate_limit_messages_per_minute: number | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

/** Twilio's FriendlyName limit for accounts. */
const FRIENDLY_NAME_MAX = 64;

/**
 * The subaccount's FriendlyName: the tenant's name plus its id, so it reads well in the
 * Twilio console and is unique, which lets a retried creation find a subaccount that was
 * created before a crash instead of creating a second one.
 */
export function friendlyNameFor(name: string, id: string): string {
  const suffix = ` (${id})`;
  const room = FRIENDLY_NAME_MAX - suffix.length;
  const base = name.length > room ? `${name.slice(0, room - 1)}…` : name;
  return `${base}${suffix}`;
}

export async function insertPendingTenant(
  q: Queryable,
  t: { id: string; name: string; environment: TenantEnvironment; friendlyName: string },
): Promise<TenantRow> {
  return q.one<TenantRow>(
    `INSERT INTO tenants (id, name, environment, status, friendly_name)
     VALUES ($1, $2, $3, 'provisioning', $4) RETURNING *`,
    [t.id, t.name, t.environment, t.friendlyName],
  );
}

export function findTenant(q: Queryable, id: string): Promise<TenantRow | null> {
  return q.maybeOne<TenantRow>("SELECT * FROM tenants WHERE id = $1", [id]);
}

/** Newest first; `startingAfter` is the last id of the previous page. */
export async function listTenants(
  q: Queryable,
  page: { limit: number; startingAfter?: string; status?: TenantStatus },
): Promise<{ tenants: TenantRow[]; hasMore: boolean }> {
  const { rows } = await q.query<TenantRow>(
    `SELECT * FROM tenants
     WHERE ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR status = $2)
     ORDER BY id DESC LIMIT $3`,
    [page.startingAfter ?? null, page.status ?? null, page.limit + 1],
  );
  return { tenants: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export function recordSubaccount(q: Queryable, id: string, sid: string, authTokenSecretId: string) {
  return q.one<TenantRow>(
    `UPDATE tenants SET subaccount_sid = $2, subaccount_auth_token_secret_id = $3, updated_at = now()
     WHERE id = $1 AND subaccount_sid IS NULL RETURNING *`,
    [id, sid, authTokenSecretId],
  );
}

/** The last provisioning step: the key exists, the tenant becomes active. */
export function recordTwilioKeyAndActivate(q: Queryable, id: string, keySid: string, keySecretId: string) {
  return q.one<TenantRow>(
    `UPDATE tenants SET twilio_key_sid = $2, twilio_key_secret_id = $3, status = 'active',
       provisioning_error = NULL, updated_at = now()
     WHERE id = $1 AND twilio_key_sid IS NULL RETURNING *`,
    [id, keySid, keySecretId],
  );
}

export async function recordProvisioningError(
  q: Queryable,
  id: string,
  error: ProvisioningError,
): Promise<void> {
  await q.query(
    "UPDATE tenants SET provisioning_error = $2::jsonb, updated_at = now() WHERE id = $1 AND status = 'provisioning'",
    [id, JSON.stringify(error)],
  );
}

/** A tenant's own rate limits: a number (0 = no limit), null = back to the default, absent = unchanged. */
export const RateLimitChange = Type.Object(
  {
    requests_per_second: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }))),
    messages_per_minute: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: "Set this tenant's own limits (0 = no limit), or null to use the deployment's default",
  },
);
export type RateLimitChange = Static<typeof RateLimitChange>;

export function updateTenantRow(
  q: Queryable,
  id: string,
  change: { name?: string; status?: TenantStatus; rateLimits?: RateLimitChange },
): Promise<TenantRow> {
  const limits = change.rateLimits ?? {};
  return q.one<TenantRow>(
    `UPDATE tenants SET name = COALESCE($2, name), status = COALESCE($3, status),
       closed_at = CASE WHEN $3 = 'closed' AND closed_at IS NULL THEN now() ELSE closed_at END,
       rate_limit_requests_per_second = CASE WHEN $4 THEN $5::integer ELSE rate_limit_requests_per_second END,
       rate_limit_messages_per_minute = CASE WHEN $6 THEN $7::integer ELSE rate_limit_messages_per_minute END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      change.name ?? null,
      change.status ?? null,
      limits.requests_per_second !== undefined,
      limits.requests_per_second ?? null,
      limits.messages_per_minute !== undefined,
      limits.messages_per_minute ?? null,
    ],
  );
}

/**
 * The tenant from the runtime's cache: Twilio's callbacks and the dispatcher read it for every
 * message. Every change to the row reaches every process through the change feed.
 */
export function cachedTenant(deps: Pick<Services, "db" | "caches">, id: string): Promise<TenantRow | null> {
  const tenants = deps.caches.space<TenantRow | null>("tenants", { ttlMs: 60_000 }, (space, on) =>
    on("tenant", (key) => (key === undefined ? space.clear() : space.delete(key))),
  );
  // An unknown id is not kept: a tenant created a moment ago must be found at once.
  return tenants.through(
    id,
    () => findTenant(deps.db, id),
    (t) => t !== null,
  );
}
