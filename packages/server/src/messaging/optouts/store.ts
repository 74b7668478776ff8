import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { emitEvent } from "../../events/emit.js";

/**
 * The suppression list per tenant and sender scope, with an audit trail. Every change emits
 * `optout.changed` in the same transaction.
 *
 * Scope: `all` (every sender of the tenant), a messaging service sid (MG…: Twilio applies a
 * STOP to a number of a service to the whole service) or a sender number (+1…).
 */
export type OptOutSource = "keyword" | "api" | "import" | "twilio_21610";
export const ALL_SENDERS = "all";

export interface OptOutRow {
  tenant_id: string;
  phone: string;
  scope: string;
  source: OptOutSource;
  keyword: string | null;
  reason: string | null;
  /** Twilio holds it too (its own STOP, or a 21610): only an exact START lifts it there. */
  held_by_twilio: boolean;
  created_at: Date;
}

export interface AuditRow {
  id: string;
  tenant_id: string;
  phone: string;
  scope: string;
  action: "opt_out" | "opt_in";
  source: OptOutSource;
  keyword: string | null;
  reason: string | null;
  actor: string | null;
  at: Date;
}

export interface OptOutChange {
  tenantId: string;
  phone: string;
  scope: string;
  source: OptOutSource;
  keyword?: string | null;
  reason?: string | null;
  /** Who: `api_key:key_…`, `admin`, `handset`, `twilio`. */
  actor?: string | null;
  /** Twilio made the same opt-out (default: only for a 21610). */
  heldByTwilio?: boolean;
  at: Date;
}

/**
 * Adds to the list (idempotent: an existing entry is kept, and nothing is emitted twice; it is
 * only marked as held by Twilio when Twilio now holds it too).
 */
export async function optOut(q: Queryable, c: OptOutChange): Promise<{ changed: boolean; row: OptOutRow }> {
  const held = c.heldByTwilio ?? c.source === "twilio_21610";
  const inserted = await q.maybeOne<OptOutRow>(
    `INSERT INTO opt_outs (tenant_id, phone, scope, source, keyword, reason, held_by_twilio, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, phone, scope) DO NOTHING RETURNING *`,
    [c.tenantId, c.phone, c.scope, c.source, c.keyword ?? null, c.reason ?? null, held, c.at],
  );
  if (!inserted) {
    const row = await q.one<OptOutRow>(
      held
        ? `UPDATE opt_outs SET held_by_twilio = true WHERE tenant_id = $1 AND phone = $2 AND scope = $3
           RETURNING *`
        : "SELECT * FROM opt_outs WHERE tenant_id = $1 AND phone = $2 AND scope = $3",
      [c.tenantId, c.phone, c.scope],
    );
    return { changed: false, row };
  }
  await audit(q, c, "opt_out");
  await emitChange(q, c, "opted_out");
  return { changed: true, row: inserted };
}

/**
 * Removes a number from the list: one scope, or every scope when `scope` is null; with
 * `keepHeldByTwilio`, not the entries Twilio holds too (an opt-in Twilio did not take cannot lift
 * those there). Returns the entries removed (each audited).
 */
export async function optIn(
  q: Queryable,
  c: Omit<OptOutChange, "scope" | "heldByTwilio"> & { scope: string | null; keepHeldByTwilio?: boolean },
): Promise<OptOutRow[]> {
  const { rows } = await q.query<OptOutRow>(
    `DELETE FROM opt_outs WHERE tenant_id = $1 AND phone = $2 AND ($3::text IS NULL OR scope = $3)
       AND NOT ($4::boolean AND held_by_twilio) RETURNING *`,
    [c.tenantId, c.phone, c.scope, c.keepHeldByTwilio ?? false],
  );
  for (const row of rows) {
    await audit(q, { ...c, scope: row.scope }, "opt_in");
    await emitChange(q, { ...c, scope: row.scope }, "opted_in");
  }
  return rows;
}

async function audit(q: Queryable, c: OptOutChange, action: "opt_out" | "opt_in"): Promise<void> {
  await q.query(
    `INSERT INTO opt_out_audit (id, tenant_id, phone, scope, action, source, keyword, reason, actor, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      newId("opa"),
      c.tenantId,
      c.phone,
      c.scope,
      action,
      c.source,
      c.keyword ?? null,
      c.reason ?? null,
      c.actor ?? null,
      c.at,
    ],
  );
}

async function emitChange(q: Queryable, c: OptOutChange, change: "opted_out" | "opted_in"): Promise<void> {
  await emitEvent(q, {
    tenantId: c.tenantId,
    type: "optout.changed",
    data: {
      phone: c.phone,
      scope: c.scope,
      change,
      source: c.source,
      keyword: c.keyword ?? null,
      reason: c.reason ?? null,
      at: c.at.toISOString(),
    },
    orderingKey: `optout:${c.phone}`,
  });
}

/** Whether Twilio blocks sends to the number for some scope of the tenant (as far as we know). */
export async function heldByTwilio(q: Queryable, tenantId: string, phone: string): Promise<boolean> {
  const row = await q.maybeOne(
    "SELECT 1 FROM opt_outs WHERE tenant_id = $1 AND phone = $2 AND held_by_twilio LIMIT 1",
    [tenantId, phone],
  );
  return row !== null;
}

/** Which (tenant, phone, scope) entries exist among the candidates: the send path's check. */
export async function suppressedAmong(
  q: Queryable,
  candidates: { tenantId: string; phone: string }[],
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const { rows } = await q.query<{ tenant_id: string; phone: string; scope: string }>(
    `SELECT o.tenant_id, o.phone, o.scope FROM opt_outs o
     JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[])) AS c(tenant_id, phone)
       ON o.tenant_id = c.tenant_id AND o.phone = c.phone`,
    [candidates.map((c) => c.tenantId), candidates.map((c) => c.phone)],
  );
  return new Set(rows.map((r) => suppressionKey(r.tenant_id, r.scope, r.phone)));
}

export function suppressionKey(tenantId: string, scope: string, phone: string): string {
  return `${tenantId}|${scope}|${phone}`;
}

export interface OptOutPage {
  rows: OptOutRow[];
  hasMore: boolean;
}

/** Ordered by phone then scope; the cursor is `phone|scope` of the last row. */
export async function listOptOuts(
  q: Queryable,
  tenantId: string,
  f: { phone?: string; scope?: string; cursor?: { phone: string; scope: string }; limit: number },
): Promise<OptOutPage> {
  const { rows } = await q.query<OptOutRow>(
    `SELECT * FROM opt_outs WHERE tenant_id = $1
       AND ($2::text IS NULL OR phone = $2) AND ($3::text IS NULL OR scope = $3)
       AND ($4::text IS NULL OR (phone, scope) > ($4, $5::text))
     ORDER BY phone, scope LIMIT $6`,
    [
      tenantId,
      f.phone ?? null,
      f.scope ?? null,
      f.cursor?.phone ?? null,
      f.cursor?.scope ?? null,
      f.limit + 1,
    ],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export async function auditOf(q: Queryable, tenantId: string, phone: string): Promise<AuditRow[]> {
  const { rows } = await q.query<AuditRow>(
    "SELECT * FROM opt_out_audit WHERE tenant_id = $1 AND phone = $2 ORDER BY id",
    [tenantId, phone],
  );
  return rows;
}
