import { createHash, randomBytes } from "node:crypto";
import type { Mode } from "../config/config.js";
import type { Queryable } from "../db/db.js";
import type { Services } from "../kernel/services.js";
import { newId } from "../db/ids.js";
import type { TenantRow } from "./tenants.js";

/**
 * Platform API keys for tenants: `sk_live_…` (a production tenant in live mode) or
 * `sk_test_…`, then 32 random bytes. Only the SHA-256 hash is stored, with a short prefix
 * to recognise a key in lists; the key itself is shown once.
 */
export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string | null;
  prefix: string;
  hash: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export async function createApiKey(
  q: Queryable,
  mode: Mode,
  tenant: Pick<TenantRow, "id" | "environment">,
  name: string | null,
): Promise<{ row: ApiKeyRow; key: string }> {
  const kind = mode === "live" && tenant.environment === "production" ? "live" : "test";
  const key = `sk_${kind}_${randomBytes(32).toString("base64url")}`;
  const row = await q.one<ApiKeyRow>(
    `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [newId("key"), tenant.id, name, key.slice(0, 12), hashApiKey(key)],
  );
  return { row, key };
}

export async function listApiKeys(q: Queryable, tenantId: string): Promise<ApiKeyRow[]> {
  const { rows } = await q.query<ApiKeyRow>("SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY id DESC", [
    tenantId,
  ]);
  return rows;
}

/** Revokes (idempotently); null when the tenant has no such key. */
export function revokeApiKey(q: Queryable, tenantId: string, keyId: string): Promise<ApiKeyRow | null> {
  return q.maybeOne<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
     WHERE id = $1 AND tenant_id = $2 RETURNING *`,
    [keyId, tenantId],
  );
}

export interface KeyOwner {
  key: ApiKeyRow;
  tenant: TenantRow;
}

/** The key and its tenant, whatever their state (the caller decides what revoked/suspended mean). */
export async function findApiKeyOwner(q: Queryable, presented: string): Promise<KeyOwner | null> {
  const row = await q.maybeOne<{ key: ApiKeyRow; tenant: TenantRow }>(
    `SELECT row_to_json(k.*) AS key, row_to_json(t.*) AS tenant
     FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.hash = $1`,
    [hashApiKey(presented)],
  );
  return row ? { key: revive(row.key, KEY_DATES), tenant: revive(row.tenant, TENANT_DATES) } : null;
}

/**
 * The owner of a presented key, from the runtime's cache: the send path must not pay a query
 * per request. A revoked key, a suspended tenant or a changed limit reaches every process
 * through the change feed (system/changes.ts); the route that made the change forgets it here
 * at once, so "revocation acts on the next request" holds in this process too.
 */
export function cachedApiKeyOwner(
  deps: Pick<Services, "db" | "caches">,
  presented: string,
): Promise<KeyOwner | null> {
  const owners = deps.caches.space<KeyOwner | null>("api-key-owners", { ttlMs: 60_000 }, (space, on) => {
    on("api-key", (id) => space.deleteWhere((o) => id === undefined || o?.key.id === id));
    on("tenant", (id) => space.deleteWhere((o) => id === undefined || o?.tenant.id === id));
  });
  // Unknown keys are not kept: a key created a moment ago must work at once.
  return owners.through(
    hashApiKey(presented),
    () => findApiKeyOwner(deps.db, presented),
    (o) => o !== null,
  );
}

const KEY_DATES = ["created_at", "last_used_at", "revoked_at"] as const;
const TENANT_DATES = ["created_at", "updated_at", "closed_at"] as const;

function revive<T>(row: T, fields: readonly string[]): T {
  const r = row as Record<string, unknown>;
  for (const f of fields) if (typeof r[f] === "string") r[f] = new Date(r[f] as string);
  return row;
}

// last_used_at is written at most once a minute per key and process: it must not turn every
// authenticated request (the send path) into a write.
const TOUCH_EVERY_MS = 60_000;

export async function touchApiKey(
  deps: Pick<Services, "db" | "caches">,
  keyId: string,
  now: Date,
): Promise<void> {
  const written = deps.caches.space<true>("api-key-touches", { ttlMs: TOUCH_EVERY_MS });
  if (written.get(keyId)) return;
  written.set(keyId, true);
  await deps.db.query(
    `UPDATE api_keys SET last_used_at = $2
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '60 seconds')`,
    [keyId, now],
  );
}
