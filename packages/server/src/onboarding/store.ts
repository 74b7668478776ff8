/**
 * The onboarding tables (migrations/0100_onboarding.sql): registrations and their steps.
 * Queries are named for what they do; every state change goes through `db.tx` in the caller.
 */
import type { Queryable } from "../db/db.js";
import type { RegistrationDocument, RegistrationKind } from "@subtext/telecom/registration/document";
import type { RegistrationState } from "./states.js";

export type Channel = "10dlc" | "toll_free";

export interface FailureReason {
  /** Our stable code for the problem (hints.ts). */
  code: string;
  twilio_code: number | null;
  /** Twilio's own words. */
  reason: string;
  /** The document fields to edit, in the document's own terms. */
  fields: string[];
  hint: string;
}

export interface Failure {
  stage: string;
  at: string;
  /** Twilio's status of the failed resource (FAILED, twilio-rejected, TWILIO_REJECTED…). */
  twilio_status: string | null;
  reasons: FailureReason[];
  /** false when Twilio will not take a resubmission (suspended, non-editable rejection). */
  remediable: boolean;
}

export interface RegistrationRow {
  id: string;
  tenant_id: string;
  kind: RegistrationKind;
  channel: Channel;
  state: RegistrationState;
  document: RegistrationDocument;
  generation: number;
  reuse_mobile: string | null;
  reuse_email: string | null;
  reuse_address: string | null;
  failure: Failure | null;
  customer_profile_sid: string | null;
  trust_product_sid: string | null;
  brand_sid: string | null;
  brand_status: string | null;
  brand_identity_status: string | null;
  trust_score: number | null;
  messaging_service_sid: string | null;
  campaign_status: string | null;
  campaign_id: string | null;
  campaign_submitted_at: Date | null;
  phone_number_sid: string | null;
  phone_number: string | null;
  sender_attached: boolean;
  tollfree_verification_sid: string | null;
  tollfree_status: string | null;
  otp_sent_at: Date | null;
  otp_verified_at: Date | null;
  otp_deadline: Date | null;
  otp_retriggers: number;
  brand_submitted_at: Date | null;
  review_started_at: Date | null;
  approved_at: Date | null;
  /** An added campaign: the registration that holds its brand (null for a registration). */
  parent_id: string | null;
  /** An added campaign that was deleted (its Usa2p removed). */
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type StepStatus = "pending" | "running" | "waiting" | "done" | "failed";

export interface StepRow {
  registration_id: string;
  name: string;
  position: number;
  stage: string;
  status: StepStatus;
  sid: string | null;
  twilio_status: string | null;
  attempts: number;
  started_at: Date | null;
  completed_at: Date | null;
  wait_until: Date | null;
  last_error: { code: string; message: string; twilio_code?: number } | null;
  data: Record<string, any>;
}

/** Columns a step may set on its registration (the gate's view of the Twilio resources). */
export type RegistrationColumns = Partial<
  Pick<
    RegistrationRow,
    | "customer_profile_sid"
    | "trust_product_sid"
    | "brand_sid"
    | "brand_status"
    | "brand_identity_status"
    | "trust_score"
    | "messaging_service_sid"
    | "campaign_status"
    | "campaign_id"
    | "campaign_submitted_at"
    | "phone_number_sid"
    | "phone_number"
    | "sender_attached"
    | "tollfree_verification_sid"
    | "tollfree_status"
    | "otp_sent_at"
    | "otp_verified_at"
    | "otp_deadline"
    | "otp_retriggers"
    | "brand_submitted_at"
    | "review_started_at"
    | "approved_at"
    | "deleted_at"
  >
>;

export function channelOf(kind: RegistrationKind): Channel {
  return kind === "toll_free" ? "toll_free" : "10dlc";
}

export interface ReuseKeys {
  reuse_mobile: string | null;
  reuse_email: string | null;
  reuse_address: string | null;
}

export async function insertRegistration(
  q: Queryable,
  r: {
    id: string;
    tenantId: string;
    kind: RegistrationKind;
    document: RegistrationDocument;
    reuse: ReuseKeys;
    /** An added campaign: the registration that holds its brand. */
    parentId?: string;
  },
  steps: { name: string; stage: string }[],
): Promise<RegistrationRow> {
  const row = await q.one<RegistrationRow>(
    `INSERT INTO registrations (id, tenant_id, kind, channel, state, document, reuse_mobile, reuse_email, reuse_address,
       parent_id)
     VALUES ($1, $2, $3, $4, 'submitted', $5::jsonb, $6, $7, $8, $9) RETURNING *`,
    [
      r.id,
      r.tenantId,
      r.kind,
      channelOf(r.kind),
      JSON.stringify(r.document),
      r.reuse.reuse_mobile,
      r.reuse.reuse_email,
      r.reuse.reuse_address,
      r.parentId ?? null,
    ],
  );
  await q.query(
    `INSERT INTO registration_steps (registration_id, name, position, stage, status)
     SELECT $1, s.name, s.position, s.stage, 'pending'
     FROM jsonb_to_recordset($2::jsonb) AS s(name text, position integer, stage text)`,
    [r.id, JSON.stringify(steps.map((s, i) => ({ ...s, position: i })))],
  );
  return row;
}

export function findRegistration(q: Queryable, id: string): Promise<RegistrationRow | null> {
  return q.maybeOne<RegistrationRow>("SELECT * FROM registrations WHERE id = $1", [id]);
}

export function lockRegistration(q: Queryable, id: string): Promise<RegistrationRow | null> {
  return q.maybeOne<RegistrationRow>("SELECT * FROM registrations WHERE id = $1 FOR UPDATE", [id]);
}

/** The tenant's registrations (not the campaigns added to them). */
export async function listRegistrations(q: Queryable, tenantId: string): Promise<RegistrationRow[]> {
  const { rows } = await q.query<RegistrationRow>(
    "SELECT * FROM registrations WHERE tenant_id = $1 AND parent_id IS NULL ORDER BY id DESC",
    [tenantId],
  );
  return rows;
}

/** The campaigns added to a registration's brand, oldest first (deleted ones included). */
export async function listAddedCampaigns(q: Queryable, parentId: string): Promise<RegistrationRow[]> {
  const { rows } = await q.query<RegistrationRow>(
    "SELECT * FROM registrations WHERE parent_id = $1 ORDER BY id",
    [parentId],
  );
  return rows;
}

export function findRegistrationBySid(
  q: Queryable,
  tenantId: string,
  sid: string,
): Promise<RegistrationRow | null> {
  return q.maybeOne<RegistrationRow>(
    `SELECT * FROM registrations WHERE tenant_id = $1 AND $2 IN
       (customer_profile_sid, trust_product_sid, brand_sid, messaging_service_sid, tollfree_verification_sid,
        phone_number_sid)
     LIMIT 1`,
    [tenantId, sid],
  );
}

export async function updateRegistration(
  q: Queryable,
  id: string,
  change: RegistrationColumns & {
    state?: RegistrationState;
    failure?: Failure | null;
    document?: RegistrationDocument;
    reuse?: ReuseKeys;
    generation?: number;
  },
): Promise<RegistrationRow> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const { reuse, ...rest } = change;
  const columns: Record<string, unknown> = { ...rest, ...(reuse ?? {}) };
  for (const [column, value] of Object.entries(columns)) {
    if (value === undefined) continue;
    if (!/^[a-z_]+$/.test(column)) throw new Error(`bad column ${column}`);
    params.push(column === "failure" || column === "document" ? jsonOrNull(value) : value);
    const cast = column === "failure" || column === "document" ? "::jsonb" : "";
    sets.push(`${column} = $${params.length}${cast}`);
  }
  sets.push("updated_at = now()");
  return q.one<RegistrationRow>(
    `UPDATE registrations SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
    params,
  );
}

function jsonOrNull(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

export async function listSteps(q: Queryable, registrationId: string): Promise<StepRow[]> {
  const { rows } = await q.query<StepRow>(
    "SELECT * FROM registration_steps WHERE registration_id = $1 ORDER BY position",
    [registrationId],
  );
  return rows;
}

export async function stepsOf(q: Queryable, ids: string[]): Promise<Map<string, StepRow[]>> {
  const out = new Map<string, StepRow[]>();
  if (ids.length === 0) return out;
  const { rows } = await q.query<StepRow>(
    "SELECT * FROM registration_steps WHERE registration_id = ANY($1::text[]) ORDER BY registration_id, position",
    [ids],
  );
  for (const row of rows) {
    const list = out.get(row.registration_id) ?? [];
    list.push(row);
    out.set(row.registration_id, list);
  }
  return out;
}

export function findStep(q: Queryable, registrationId: string, name: string): Promise<StepRow | null> {
  return q.maybeOne<StepRow>("SELECT * FROM registration_steps WHERE registration_id = $1 AND name = $2", [
    registrationId,
    name,
  ]);
}

export async function updateStep(
  q: Queryable,
  registrationId: string,
  name: string,
  change: Partial<
    Pick<StepRow, "status" | "sid" | "twilio_status" | "wait_until" | "last_error" | "data">
  > & {
    started?: Date;
    completed?: Date | null;
    attempt?: boolean;
    resetAttempts?: boolean;
  },
): Promise<StepRow> {
  const sets: string[] = [];
  const params: unknown[] = [registrationId, name];
  const set = (sql: string, value: unknown) => {
    params.push(value);
    sets.push(sql.replace("?", `$${params.length}`));
  };
  if (change.status !== undefined) set("status = ?", change.status);
  if (change.sid !== undefined) set("sid = ?", change.sid);
  if (change.twilio_status !== undefined) set("twilio_status = ?", change.twilio_status);
  if (change.wait_until !== undefined) set("wait_until = ?", change.wait_until);
  if (change.last_error !== undefined) set("last_error = ?::jsonb", jsonOrNull(change.last_error));
  if (change.data !== undefined) set("data = data || ?::jsonb", JSON.stringify(change.data));
  if (change.started !== undefined) set("started_at = COALESCE(started_at, ?)", change.started);
  if (change.completed !== undefined) set("completed_at = ?", change.completed);
  if (change.attempt) sets.push("attempts = attempts + 1");
  if (change.resetAttempts) sets.push("attempts = 0");
  if (sets.length === 0) throw new Error("updateStep without a change");
  return q.one<StepRow>(
    `UPDATE registration_steps SET ${sets.join(", ")} WHERE registration_id = $1 AND name = $2 RETURNING *`,
    params,
  );
}

/** Sends steps back to pending for a resubmission; their SIDs and data stay (steps converge). */
export async function resetSteps(q: Queryable, registrationId: string, names: string[]): Promise<void> {
  await q.query(
    `UPDATE registration_steps SET status = 'pending', started_at = NULL, completed_at = NULL, wait_until = NULL,
       last_error = NULL, attempts = 0
     WHERE registration_id = $1 AND name = ANY($2::text[])`,
    [registrationId, names],
  );
}

/** How many registrations (all tenants, 10DLC brands) already use each value, excluding one. */
export async function countReuse(
  q: Queryable,
  keys: ReuseKeys,
  excludeId: string | null,
): Promise<{ mobile_phone_number: number; email: number; address: number }> {
  const row = await q.one<{ mobile: number; email: number; address: number }>(
    `SELECT
       count(*) FILTER (WHERE $1::text IS NOT NULL AND reuse_mobile = $1) AS mobile,
       count(*) FILTER (WHERE $2::text IS NOT NULL AND reuse_email = $2) AS email,
       count(*) FILTER (WHERE $3::text IS NOT NULL AND reuse_address = $3) AS address
     FROM registrations
     WHERE channel = '10dlc' AND ($4::text IS NULL OR id <> $4)
       AND (reuse_mobile = $1 OR reuse_email = $2 OR reuse_address = $3)`,
    [keys.reuse_mobile, keys.reuse_email, keys.reuse_address, excludeId],
  );
  return { mobile_phone_number: Number(row.mobile), email: Number(row.email), address: Number(row.address) };
}
