import type { Queryable } from "../../db/db.js";
import type { Services } from "../../kernel/services.js";
import { newId } from "../../db/ids.js";
import { Nullable, type Static, Type } from "../../kernel/schema.js";
import { type LaneKind, type LaneRate, laneRate } from "@subtext/telecom/lanes";

export type LaneType =
  | "10dlc_campaign"
  | "toll_free_number"
  | "whatsapp_sender"
  | "intl_sender"
  | "short_code";

/** Operator settings that win over the brand-type table (PATCH /v1/lanes/{id}). */
export interface LaneOverrides {
  mps?: number;
  burst?: number;
  daily_cap?: number | null;
  tmobile_daily_cap?: number | null;
}

const MAX_DAILY_CAP = 1_000_000_000;

/** A PATCH: null on mps or burst removes that override (back to the table's value). */
export const LaneOverridesChange = Type.Object(
  {
    mps: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }))),
    burst: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100_000 }))),
    // Integer columns: a huge cap is a 400, not an overflow. A billion is more than
    // a lane at the maximum mps (10,000) can send in a day.
    daily_cap: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_DAILY_CAP }))),
    tmobile_daily_cap: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_DAILY_CAP }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type LaneOverridesChange = Static<typeof LaneOverridesChange>;

export interface LaneRow {
  id: string;
  tenant_id: string;
  key: string;
  kind: LaneType;
  rate_kind: LaneKind;
  brand_id: string | null;
  trust_score: number | null;
  messaging_service_sid: string | null;
  sender: string | null;
  mps: number;
  burst: number;
  daily_cap: number | null;
  tmobile_daily_cap: number | null;
  overrides: LaneOverrides;
  tat_ms: number | null;
  next_due_at: Date | null;
  held_until: Date | null;
  held_reason: string | null;
  lease_owner: string | null;
  lease_until: Date | null;
  last_dispatch_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What the gate knows about a lane from the sending profile. */
export interface LaneSpec {
  tenantId: string;
  key: string;
  kind: LaneType;
  rateKind: LaneKind;
  brandId: string | null;
  trustScore: number | null;
  messagingServiceSid: string | null;
  sender: string | null;
}

/**
 * The effective limits: the brand-type table, then the operator's overrides. The burst is a
 * tenth of a second's worth (at least one segment): enough for a dispatcher ticking every
 * ~50 ms to keep up, small enough that no second ever carries more than the rate plus that.
 */
export function effectiveRate(
  rateKind: LaneKind,
  trustScore: number | null,
  overrides: LaneOverrides,
): LaneRate & { burst: number } {
  const { burst, ...rest } = overrides;
  const rate = laneRate({ kind: rateKind, trust_score: trustScore }, rest);
  return { ...rate, burst: burst ?? Math.max(1, Math.ceil(rate.mps / 10)) };
}

/**
 * The lane row for a spec, created or brought up to date once per process (then cached in the
 * runtime's cache: a lane's id never changes, and a changed spec is a new signature).
 */
export async function ensureLane(
  deps: Pick<Services, "db" | "caches" | "clock">,
  spec: LaneSpec,
): Promise<string> {
  const signature = JSON.stringify(spec);
  const known = deps.caches.space<string>("lane-ids", { ttlMs: 3_600_000 });
  const cached = known.get(signature);
  if (cached) return cached;
  const q = deps.db;
  let row = await q.maybeOne<LaneRow>("SELECT * FROM lanes WHERE tenant_id = $1 AND key = $2", [
    spec.tenantId,
    spec.key,
  ]);
  if (!row) {
    const rate = effectiveRate(spec.rateKind, spec.trustScore, {});
    const now = deps.clock.now();
    row = await deps.db.tx(async (tx) => {
      const inserted = await tx.maybeOne<LaneRow>(
        `INSERT INTO lanes (id, tenant_id, key, kind, rate_kind, brand_id, trust_score, messaging_service_sid, sender,
           mps, burst, daily_cap, tmobile_daily_cap)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (tenant_id, key) DO NOTHING RETURNING *`,
        [
          newId("lane"),
          spec.tenantId,
          spec.key,
          spec.kind,
          spec.rateKind,
          spec.brandId,
          spec.trustScore,
          spec.messagingServiceSid,
          spec.sender,
          rate.mps,
          rate.burst,
          rate.daily_cap,
          rate.tmobile_daily_cap,
        ],
      );
      if (inserted) await recordLaneChange(tx, inserted, "created", null, now);
      return inserted;
    });
    row ??= await q.one<LaneRow>("SELECT * FROM lanes WHERE tenant_id = $1 AND key = $2", [
      spec.tenantId,
      spec.key,
    ]);
  } else if (specChanged(row, spec)) {
    const id = row.id;
    await deps.db.tx((tx) => refreshLaneSpec(tx, id, spec, deps.clock.now()));
  }
  known.set(signature, row.id);
  return row.id;
}

/** Whether the registration says something else than the lane row (brand type, trust score…). */
export function specChanged(row: LaneRow, spec: LaneSpec): boolean {
  return (
    row.rate_kind !== spec.rateKind ||
    row.trust_score !== spec.trustScore ||
    row.brand_id !== spec.brandId ||
    row.messaging_service_sid !== spec.messagingServiceSid ||
    row.sender !== spec.sender
  );
}

/**
 * The registration changed (a trust score arrived, a brand was vetted and left low-volume
 * standard): new base limits from the table, under the lane's row lock, recorded in its
 * history. The token bucket (tat_ms) is kept: what was already sent stays paced as it was, and
 * the next claim spaces messages at the new rate. Returns the lane, or null if nothing changed.
 */
export async function refreshLaneSpec(
  q: Queryable,
  laneId: string,
  spec: LaneSpec,
  now: Date,
): Promise<LaneRow | null> {
  const row = await q.maybeOne<LaneRow>("SELECT * FROM lanes WHERE id = $1 FOR UPDATE", [laneId]);
  if (!row || !specChanged(row, spec)) return null;
  const rate = effectiveRate(spec.rateKind, spec.trustScore, row.overrides);
  const updated = await q.one<LaneRow>(
    `UPDATE lanes SET rate_kind = $2, trust_score = $3, brand_id = $4, messaging_service_sid = $5, sender = $6,
       mps = $7, burst = $8, daily_cap = $9, tmobile_daily_cap = $10, updated_at = $11,
       -- Higher caps may end a cap's hold: look at the lane again now.
       held_until = CASE WHEN held_reason IN ('daily_cap', 'tmobile_daily_cap') THEN NULL ELSE held_until END,
       held_reason = CASE WHEN held_reason IN ('daily_cap', 'tmobile_daily_cap') THEN NULL ELSE held_reason END
     WHERE id = $1 RETURNING *`,
    [
      row.id,
      spec.rateKind,
      spec.trustScore,
      spec.brandId,
      spec.messagingServiceSid,
      spec.sender,
      rate.mps,
      rate.burst,
      rate.daily_cap,
      rate.tmobile_daily_cap,
      now,
    ],
  );
  await recordLaneChange(q, updated, "registration", row, now);
  return updated;
}

export interface LaneChange {
  at: string;
  reason: "created" | "registration" | "overrides";
  rate_kind: string;
  trust_score: number | null;
  mps: number;
  burst: number;
  daily_cap: number | null;
  tmobile_daily_cap: number | null;
  previous: {
    rate_kind: string;
    trust_score: number | null;
    mps: number;
    burst: number;
    daily_cap: number | null;
    tmobile_daily_cap: number | null;
  } | null;
}

async function recordLaneChange(
  q: Queryable,
  lane: LaneRow,
  reason: LaneChange["reason"],
  before: LaneRow | null,
  now: Date,
): Promise<void> {
  const previous = before
    ? {
        rate_kind: before.rate_kind,
        trust_score: before.trust_score,
        mps: before.mps,
        burst: before.burst,
        daily_cap: before.daily_cap,
        tmobile_daily_cap: before.tmobile_daily_cap,
      }
    : null;
  await q.query(
    `INSERT INTO lane_changes (id, lane_id, tenant_id, at, reason, rate_kind, trust_score, mps, burst, daily_cap,
       tmobile_daily_cap, previous)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)`,
    [
      newId("lch"),
      lane.id,
      lane.tenant_id,
      now,
      reason,
      lane.rate_kind,
      lane.trust_score,
      lane.mps,
      lane.burst,
      lane.daily_cap,
      lane.tmobile_daily_cap,
      previous ? JSON.stringify(previous) : null,
    ],
  );
}

/** The lane's latest changes, newest first. */
export async function laneHistory(q: Queryable, laneId: string, limit = 20): Promise<LaneChange[]> {
  const { rows } = await q.query<Omit<LaneChange, "at"> & { at: Date }>(
    `SELECT at, reason, rate_kind, trust_score, mps, burst, daily_cap, tmobile_daily_cap, previous
     FROM lane_changes WHERE lane_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
    [laneId, limit],
  );
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

export function findLane(q: Queryable, id: string): Promise<LaneRow | null> {
  return q.maybeOne<LaneRow>("SELECT * FROM lanes WHERE id = $1", [id]);
}

export async function listLanes(q: Queryable, tenantId: string | null): Promise<LaneRow[]> {
  const { rows } = await q.query<LaneRow>(
    "SELECT * FROM lanes WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY id LIMIT 1000",
    [tenantId],
  );
  return rows;
}

/** Applies operator overrides (null removes one) and recomputes the effective limits. */
export async function updateLaneOverrides(
  q: Queryable,
  id: string,
  change: LaneOverridesChange,
  now: Date,
): Promise<LaneRow | null> {
  const row = await q.maybeOne<LaneRow>("SELECT * FROM lanes WHERE id = $1 FOR UPDATE", [id]);
  if (!row) return null;
  const overrides: Record<string, unknown> = { ...row.overrides };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) continue;
    if (v === null && (k === "mps" || k === "burst")) delete overrides[k];
    else overrides[k] = v;
  }
  const rate = effectiveRate(row.rate_kind, row.trust_score, overrides as LaneOverrides);
  // Messages waiting for a cap's reset are due again now, ahead of later ones (the claim goes by
  // id): if the new cap still binds, the next claim holds them again.
  await q.query(
    `UPDATE messages SET not_before = GREATEST(COALESCE(send_at, $2), $2), held_reason = NULL, updated_at = $2
     WHERE lane_id = $1 AND status = 'queued' AND held_reason IN ('daily_cap', 'tmobile_daily_cap')`,
    [id, now],
  );
  const updated = await q.one<LaneRow>(
    `UPDATE lanes SET overrides = $2::jsonb, mps = $3, burst = $4, daily_cap = $5, tmobile_daily_cap = $6,
       -- New limits may end a hold (a cap raised): look at the lane again now.
       held_until = NULL, held_reason = NULL, next_due_at = LEAST(COALESCE(next_due_at, $7), $7), updated_at = $7
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(overrides), rate.mps, rate.burst, rate.daily_cap, rate.tmobile_daily_cap, now],
  );
  await recordLaneChange(q, updated, "overrides", row, now);
  return updated;
}
