import type { Queryable } from "../../db/db.js";
import type { FlowDefinition } from "./flow.js";
import type { FlowFinding } from "./validate.js";

export interface FlowRow {
  id: string;
  tenant_id: string;
  name: string;
  definition: FlowDefinition;
  findings: FlowFinding[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

// ── flows ──

export function findFlow(q: Queryable, tenantId: string, id: string): Promise<FlowRow | null> {
  return q.maybeOne<FlowRow>("SELECT * FROM ivr_flows WHERE id = $1 AND tenant_id = $2", [id, tenantId]);
}

export async function listFlows(q: Queryable, tenantId: string, f: { cursor?: string; limit: number }) {
  const { rows } = await q.query<FlowRow>(
    "SELECT * FROM ivr_flows WHERE tenant_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    [tenantId, f.cursor ?? null, f.limit + 1],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export function insertFlow(
  q: Queryable,
  f: {
    id: string;
    tenantId: string;
    name: string;
    definition: FlowDefinition;
    findings: FlowFinding[];
    now: Date;
  },
): Promise<FlowRow> {
  return q.one<FlowRow>(
    `INSERT INTO ivr_flows (id, tenant_id, name, definition, findings, created_at, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $6) RETURNING *`,
    [f.id, f.tenantId, f.name, JSON.stringify(f.definition), JSON.stringify(f.findings), f.now],
  );
}

export function replaceFlow(
  q: Queryable,
  f: {
    id: string;
    tenantId: string;
    name: string;
    definition: FlowDefinition;
    findings: FlowFinding[];
    now: Date;
  },
): Promise<FlowRow | null> {
  return q.maybeOne<FlowRow>(
    `UPDATE ivr_flows SET name = $3, definition = $4::jsonb, findings = $5::jsonb, version = version + 1, updated_at = $6
     WHERE id = $1 AND tenant_id = $2 RETURNING *`,
    [f.id, f.tenantId, f.name, JSON.stringify(f.definition), JSON.stringify(f.findings), f.now],
  );
}

// ── numbers ──

export interface FlowNumberRow {
  phone_number: string;
  tenant_id: string;
  flow_id: string;
  phone_number_sid: string;
  attached_at: Date;
}

export async function numbersOfFlows(q: Queryable, flowIds: string[]): Promise<Map<string, string[]>> {
  const { rows } = await q.query<FlowNumberRow>(
    "SELECT * FROM ivr_flow_numbers WHERE flow_id = ANY($1::text[]) ORDER BY phone_number",
    [flowIds],
  );
  const out = new Map<string, string[]>(flowIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.flow_id)?.push(r.phone_number);
  return out;
}

export async function flowNumberRows(
  q: Queryable,
  tenantId: string,
  flowId?: string,
): Promise<FlowNumberRow[]> {
  const { rows } = await q.query<FlowNumberRow>(
    "SELECT * FROM ivr_flow_numbers WHERE tenant_id = $1 AND ($2::text IS NULL OR flow_id = $2) ORDER BY phone_number",
    [tenantId, flowId ?? null],
  );
  return rows;
}

export async function attachNumber(
  q: Queryable,
  n: { phone: string; sid: string; tenantId: string; flowId: string; now: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO ivr_flow_numbers (phone_number, tenant_id, flow_id, phone_number_sid, attached_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (phone_number) DO UPDATE SET flow_id = EXCLUDED.flow_id, phone_number_sid = EXCLUDED.phone_number_sid,
       attached_at = EXCLUDED.attached_at
     WHERE ivr_flow_numbers.tenant_id = EXCLUDED.tenant_id`,
    [n.phone, n.tenantId, n.flowId, n.sid, n.now],
  );
}

export async function detachNumbers(q: Queryable, tenantId: string, phones: string[]): Promise<void> {
  await q.query("DELETE FROM ivr_flow_numbers WHERE tenant_id = $1 AND phone_number = ANY($2::text[])", [
    tenantId,
    phones,
  ]);
}

export function flowOfNumber(q: Queryable, tenantId: string, phone: string): Promise<FlowRow | null> {
  return q.maybeOne<FlowRow>(
    `SELECT f.* FROM ivr_flow_numbers n JOIN ivr_flows f ON f.id = n.flow_id
     WHERE n.tenant_id = $1 AND n.phone_number = $2`,
    [tenantId, phone],
  );
}
