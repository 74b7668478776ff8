import { randomBytes } from "node:crypto";
import type { Queryable } from "../db/db.js";
import { newId } from "../db/ids.js";
import { SubtextError, notFound } from "../kernel/errors.js";
import { Nullable, type Static, Type } from "../kernel/schema.js";
import type { Services } from "../kernel/services.js";
import type { Vault } from "../vault/vault.js";
import { cachedSecret } from "../vault/cached.js";
import { EVENT_TYPES, isEventType } from "./types.js";
import { type UrlPolicy, type UrlProblemCode, checkUrl } from "./url-policy.js";

/** A tenant's webhook receiver, as stored. */
export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  event_types: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  secret_id: string;
  previous_secret_id: string | null;
  previous_secret_expires_at: Date | null;
  consecutive_failures: number;
  failing_since: Date | null;
  last_success_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export const SECRET_PURPOSE = "webhook.signing_secret";
/** After a rotation the old secret keeps signing this long, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** Standard Webhooks secrets: `whsec_` + base64 of 24–64 random bytes (we use 32). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

const endpointUrl = Type.String({ minLength: 1, maxLength: 2048 });
const eventTypes = Nullable(
  Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    maxItems: 50,
    description: "Event types to receive; omit or null for all",
  }),
);
const description = Nullable(Type.String({ maxLength: 500 }));

/** A new endpoint (POST /v1/webhook-endpoints): its body and its type. */
export const NewEndpointInput = Type.Object(
  { url: endpointUrl, event_types: Type.Optional(eventTypes), description: Type.Optional(description) },
  { additionalProperties: false },
);
export type NewEndpointInput = Static<typeof NewEndpointInput>;

/** A change to an endpoint (PATCH /v1/webhook-endpoints/:id, besides rotate_secret): what is sent changes. */
export const EndpointInput = Type.Object(
  {
    url: Type.Optional(endpointUrl),
    event_types: Type.Optional(eventTypes),
    description: Type.Optional(description),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type EndpointInput = Static<typeof EndpointInput>;

const URL_HINTS: Partial<Record<UrlProblemCode, string>> = {
  private_address:
    "Use a publicly reachable https URL (the operator can allow private addresses with SUBTEXT_ALLOW_PRIVATE_WEBHOOKS=true).",
  own_service:
    "Point the webhook at your own receiver (another port); this deployment's API and emulator never receive webhooks.",
  link_local_address:
    "Use a publicly reachable https URL; link-local and cloud metadata addresses are never allowed.",
  embedded_ipv4_address: "Use a host name, or the IPv4 address itself.",
};

/** Refuses a bad URL or unknown event types with 422 and one finding per problem. */
export function validateEndpointInput(input: EndpointInput, policy: UrlPolicy): void {
  if (input.url !== undefined) {
    const problem = checkUrl(input.url, policy);
    if (problem) {
      throw new SubtextError("invalid_webhook_url", 422, problem.message, {
        hint:
          URL_HINTS[problem.code] ??
          "Use an absolute https:// URL, e.g. https://example.com/webhooks/subtext.",
        details: [{ path: "/url", code: problem.code, message: problem.message }],
      });
    }
  }
  const unknown = (input.event_types ?? []).filter((t) => !isEventType(t));
  if (unknown.length > 0) throw unknownEventTypes(unknown, "/event_types");
}

export function unknownEventTypes(types: string[], path: string): SubtextError {
  return new SubtextError(
    "unknown_event_type",
    422,
    `Unknown event type${types.length > 1 ? "s" : ""}: ${types.join(", ")}.`,
    {
      hint: `Event types are: ${EVENT_TYPES.join(", ")}.`,
      details: types.map((t) => ({
        path,
        code: "unknown_event_type",
        message: `"${t}" is not an event type.`,
      })),
    },
  );
}

function normalizeTypes(types: string[] | null | undefined): string[] | null {
  if (!types || types.length === 0) return null;
  return [...new Set(types)].sort();
}

export async function createEndpoint(
  q: Queryable,
  vault: Vault,
  tenantId: string,
  input: NewEndpointInput,
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const secret = newSigningSecret();
  const secretId = await vault.store(q, SECRET_PURPOSE, secret);
  const endpoint = await q.one<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, secret_id)
     VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING *`,
    [
      newId("whe"),
      tenantId,
      input.url,
      input.description ?? null,
      normalizeTypes(input.event_types),
      secretId,
    ],
  );
  return { endpoint, secret };
}

export function findEndpoint(q: Queryable, id: string): Promise<EndpointRow | null> {
  return q.maybeOne<EndpointRow>("SELECT * FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL", [
    id,
  ]);
}

export async function listEndpoints(q: Queryable, tenantId: string | null): Promise<EndpointRow[]> {
  const { rows } = await q.query<EndpointRow>(
    `SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL AND ($1::text IS NULL OR tenant_id = $1)
     ORDER BY id DESC LIMIT 500`,
    [tenantId],
  );
  return rows;
}

/** Changes filters, URL, description or the enabled flag; re-enabling clears the failure streak. */
export async function updateEndpoint(
  q: Queryable,
  id: string,
  input: EndpointInput,
  now: Date,
): Promise<EndpointRow> {
  const current = await q.maybeOne<EndpointRow>(
    "SELECT * FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    [id],
  );
  if (!current) throw notFound("webhook endpoint", id);
  const enabling = input.enabled === true && !current.enabled;
  const disabling = input.enabled === false && current.enabled;
  return q.one<EndpointRow>(
    `UPDATE webhook_endpoints SET
       url = $2, description = $3, event_types = $4::text[],
       enabled = $5,
       disabled_reason = CASE WHEN $6::boolean THEN 'disabled_by_user' WHEN $5 THEN NULL ELSE disabled_reason END,
       disabled_at = CASE WHEN $6::boolean THEN $7::timestamptz WHEN $5 THEN NULL ELSE disabled_at END,
       consecutive_failures = CASE WHEN $8::boolean THEN 0 ELSE consecutive_failures END,
       failing_since = CASE WHEN $8::boolean THEN NULL ELSE failing_since END,
       updated_at = $7
     WHERE id = $1 RETURNING *`,
    [
      id,
      input.url ?? current.url,
      input.description === undefined ? current.description : input.description,
      input.event_types === undefined ? current.event_types : normalizeTypes(input.event_types),
      input.enabled ?? current.enabled,
      disabling,
      now,
      enabling,
    ],
  );
}

/** A new secret, shown once; the previous one keeps signing for ROTATION_OVERLAP_MS. */
export async function rotateSecret(
  q: Queryable,
  vault: Vault,
  id: string,
  now: Date,
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const secret = newSigningSecret();
  const secretId = await vault.store(q, SECRET_PURPOSE, secret);
  const endpoint = await q.maybeOne<EndpointRow>(
    `UPDATE webhook_endpoints SET previous_secret_id = secret_id, previous_secret_expires_at = $3,
       secret_id = $2, updated_at = $4
     WHERE id = $1 AND deleted_at IS NULL RETURNING *`,
    [id, secretId, new Date(now.getTime() + ROTATION_OVERLAP_MS), now],
  );
  if (!endpoint) throw notFound("webhook endpoint", id);
  return { endpoint, secret };
}

/** Deleting keeps the row (the delivery log refers to it); open deliveries are abandoned. */
export async function deleteEndpoint(q: Queryable, id: string, now: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE webhook_endpoints SET deleted_at = $2, enabled = false, disabled_reason = 'deleted',
       disabled_at = COALESCE(disabled_at, $2), updated_at = $2
     WHERE id = $1 AND deleted_at IS NULL`,
    [id, now],
  );
  if (rowCount === 0) return false;
  await abandonOpenDeliveries(q, id, "endpoint deleted", now);
  return true;
}

/** Marks every pending or retrying delivery of an endpoint as failed (disabled or deleted). */
export async function abandonOpenDeliveries(
  q: Queryable,
  endpointId: string,
  reason: string,
  now: Date,
): Promise<void> {
  await q.query(
    `UPDATE webhook_deliveries SET status = 'failed', last_error = $2, next_attempt_at = NULL,
       blocked_by = NULL, completed_at = $3
     WHERE endpoint_id = $1 AND status IN ('pending', 'retrying')`,
    [endpointId, reason, now],
  );
}

/** The secrets that sign right now: the current one, plus the previous during a rotation. */
export async function signingSecrets(
  deps: Pick<Services, "db" | "vault" | "caches">,
  e: EndpointRow,
  now: Date,
): Promise<string[]> {
  const secrets = [await cachedSecret(deps, e.secret_id)];
  if (e.previous_secret_id && e.previous_secret_expires_at && e.previous_secret_expires_at > now) {
    secrets.push(await cachedSecret(deps, e.previous_secret_id));
  }
  return secrets;
}
