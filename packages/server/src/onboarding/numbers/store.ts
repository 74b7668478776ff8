/**
 * The numbers table (migrations/0104_numbers.sql). A registration's flow records the number it
 * buys here (`recordRegistrationNumber`, in the step's transaction), so a tenant's senders are
 * one list whoever bought them.
 */
import type { Queryable } from "../../db/db.js";
import type { RegistrationRow } from "../store.js";

export type NumberType = "local" | "mobile" | "toll_free";
export type NumberState = "buying" | "active" | "released" | "failed";

export interface Capabilities {
  sms: boolean;
  mms: boolean;
  voice: boolean;
}

/** What a purchase searches for when no exact number is named. */
export interface NumberRequest {
  phone_number?: string;
  area_code?: string;
  region?: string;
  contains?: string;
  capabilities?: Partial<Capabilities>;
  /** The approved regulatory bundle (BU…) and its address (AD…) a number abroad is bought with. */
  bundle_sid?: string;
  address_sid?: string;
}

export interface NumberRow {
  id: string;
  tenant_id: string;
  phone_number: string | null;
  phone_number_sid: string | null;
  country: string;
  type: NumberType;
  capabilities: Capabilities | null;
  messaging_service_sid: string | null;
  registration_id: string | null;
  state: NumberState;
  request: NumberRequest | null;
  tollfree_verification_sid: string | null;
  tollfree_status: string | null;
  failure: { code: string; message: string; twilio_code: number | null } | null;
  created_at: Date;
  updated_at: Date;
  released_at: Date | null;
}

export function findNumber(q: Queryable, id: string): Promise<NumberRow | null> {
  return q.maybeOne<NumberRow>("SELECT * FROM numbers WHERE id = $1", [id]);
}

export function lockNumber(q: Queryable, id: string): Promise<NumberRow | null> {
  return q.maybeOne<NumberRow>("SELECT * FROM numbers WHERE id = $1 FOR UPDATE", [id]);
}

export async function listNumbers(
  q: Queryable,
  tenantId: string,
  filter: { includeReleased?: boolean; messagingServiceSid?: string } = {},
): Promise<NumberRow[]> {
  const { rows } = await q.query<NumberRow>(
    `SELECT * FROM numbers WHERE tenant_id = $1
       AND ($2::boolean OR state IN ('buying', 'active'))
       AND ($3::text IS NULL OR messaging_service_sid = $3)
     ORDER BY created_at, id`,
    [tenantId, filter.includeReleased ?? false, filter.messagingServiceSid ?? null],
  );
  return rows;
}

/** The senders of the gate: every number in use, with what routes to it. */
export async function liveNumbers(
  q: Queryable,
  tenantId: string,
): Promise<
  Pick<
    NumberRow,
    | "id"
    | "phone_number"
    | "phone_number_sid"
    | "type"
    | "messaging_service_sid"
    | "registration_id"
    | "tollfree_status"
  >[]
> {
  const { rows } = await q.query<NumberRow>(
    `SELECT id, phone_number, phone_number_sid, type, messaging_service_sid, registration_id, tollfree_status
     FROM numbers WHERE tenant_id = $1 AND state = 'active' ORDER BY created_at, id`,
    [tenantId],
  );
  return rows;
}

export async function updateNumber(
  q: Queryable,
  id: string,
  set: Partial<Omit<NumberRow, "id" | "tenant_id" | "created_at">>,
  now: Date,
): Promise<NumberRow> {
  const entries = Object.entries(set).filter(([, v]) => v !== undefined);
  const json = new Set(["capabilities", "request", "failure"]);
  const assignments = entries.map(([k], i) => `${k} = $${i + 2}`);
  const values = entries.map(([k, v]) => (json.has(k) && v !== null ? JSON.stringify(v) : v));
  return q.one<NumberRow>(
    `UPDATE numbers SET ${[...assignments, `updated_at = $${entries.length + 2}`].join(", ")}
     WHERE id = $1 RETURNING *`,
    [id, ...values, now],
  );
}

export async function insertNumber(
  q: Queryable,
  row: Pick<NumberRow, "id" | "tenant_id" | "phone_number" | "country" | "type" | "state"> &
    Partial<NumberRow>,
  now: Date,
): Promise<NumberRow> {
  return q.one<NumberRow>(
    `INSERT INTO numbers (id, tenant_id, phone_number, phone_number_sid, country, type, capabilities,
       messaging_service_sid, registration_id, state, request, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
    [
      row.id,
      row.tenant_id,
      row.phone_number,
      row.phone_number_sid ?? null,
      row.country,
      row.type,
      row.capabilities ? JSON.stringify(row.capabilities) : null,
      row.messaging_service_sid ?? null,
      row.registration_id ?? null,
      row.state,
      row.request ? JSON.stringify(row.request) : null,
      now,
    ],
  );
}

/** The id of the number a registration's flow bought: one per registration, so re-runs agree. */
export const registrationNumberId = (registrationId: string) => `num_${registrationId.slice(4)}`;

/**
 * Records (or brings up to date) the number a registration's flow bought, in the step's
 * transaction: its purchase, its attachment to the campaign's service, its verification.
 * Only what the step changed is written, so a number the tenant has since moved stays moved.
 */
export async function recordRegistrationNumber(
  q: Queryable,
  reg: RegistrationRow,
  changed: Partial<RegistrationRow>,
  now: Date,
  capabilities?: Capabilities,
): Promise<void> {
  if (!reg.phone_number_sid || !reg.phone_number) return;
  const id = registrationNumberId(reg.id);
  const existing = await findNumber(q, id);
  if (!existing || existing.phone_number_sid !== reg.phone_number_sid) {
    await q.query(
      `INSERT INTO numbers (id, tenant_id, phone_number, phone_number_sid, country, type, capabilities,
         messaging_service_sid, registration_id, state, tollfree_verification_sid, tollfree_status,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'US', $5, $6, $7, $8, 'active', $9, $10, $11, $11)
       ON CONFLICT (id) DO UPDATE SET phone_number = EXCLUDED.phone_number,
         phone_number_sid = EXCLUDED.phone_number_sid, state = 'active', released_at = NULL,
         capabilities = COALESCE(EXCLUDED.capabilities, numbers.capabilities), updated_at = EXCLUDED.updated_at`,
      [
        id,
        reg.tenant_id,
        reg.phone_number,
        reg.phone_number_sid,
        reg.channel === "toll_free" ? "toll_free" : "local",
        capabilities ? JSON.stringify(capabilities) : null,
        reg.sender_attached ? reg.messaging_service_sid : null,
        reg.id,
        reg.tollfree_verification_sid,
        reg.tollfree_status,
        now,
      ],
    );
    return;
  }
  const set: Partial<NumberRow> = {};
  if (capabilities) set.capabilities = capabilities;
  if (changed.sender_attached === true) set.messaging_service_sid = reg.messaging_service_sid;
  if (changed.tollfree_status !== undefined || changed.tollfree_verification_sid !== undefined) {
    set.tollfree_verification_sid = reg.tollfree_verification_sid;
    set.tollfree_status = reg.tollfree_status;
  }
  if (Object.keys(set).length) await updateNumber(q, id, set, now);
}
