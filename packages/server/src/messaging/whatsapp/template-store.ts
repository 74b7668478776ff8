import type { Queryable } from "../../db/db.js";

export type TemplateCategory = "UTILITY" | "MARKETING" | "AUTHENTICATION";

/** Final WhatsApp approval statuses (docs/twilio-facts.md, "Content templates and WhatsApp"). */
export const FINAL_APPROVAL = new Set(["approved", "rejected", "paused", "disabled"]);

export interface TemplateRow {
  id: string;
  tenant_id: string;
  content_sid: string;
  name: string;
  language: string;
  category: TemplateCategory;
  types: Record<string, unknown>;
  variables: Record<string, string>;
  approval_status: string;
  rejection_reason: string | null;
  submitted_at: Date | null;
  status_checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function insertTemplate(
  q: Queryable,
  t: Pick<
    TemplateRow,
    "id" | "tenant_id" | "content_sid" | "name" | "language" | "category" | "types" | "variables"
  > & {
    now: Date;
  },
): Promise<TemplateRow> {
  return q.one<TemplateRow>(
    `INSERT INTO whatsapp_templates (id, tenant_id, content_sid, name, language, category, types, variables,
       approval_status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, 'unsubmitted', $9, $9) RETURNING *`,
    [
      t.id,
      t.tenant_id,
      t.content_sid,
      t.name,
      t.language,
      t.category,
      JSON.stringify(t.types),
      JSON.stringify(t.variables),
      t.now,
    ],
  );
}

export function findTemplate(q: Queryable, tenantId: string, id: string): Promise<TemplateRow | null> {
  return q.maybeOne<TemplateRow>("SELECT * FROM whatsapp_templates WHERE id = $1 AND tenant_id = $2", [
    id,
    tenantId,
  ]);
}

export function templateByContentSid(
  q: Queryable,
  tenantId: string,
  sid: string,
): Promise<TemplateRow | null> {
  return q.maybeOne<TemplateRow>(
    "SELECT * FROM whatsapp_templates WHERE content_sid = $1 AND tenant_id = $2",
    [sid, tenantId],
  );
}

export function templateByName(q: Queryable, tenantId: string, name: string, language: string) {
  return q.maybeOne<TemplateRow>(
    "SELECT * FROM whatsapp_templates WHERE tenant_id = $1 AND name = $2 AND language = $3",
    [tenantId, name, language],
  );
}

export async function listTemplates(
  q: Queryable,
  tenantId: string,
  f: { status?: string; cursor?: string; limit: number },
): Promise<{ rows: TemplateRow[]; hasMore: boolean }> {
  const { rows } = await q.query<TemplateRow>(
    `SELECT * FROM whatsapp_templates WHERE tenant_id = $1
       AND ($2::text IS NULL OR approval_status = $2) AND ($3::text IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [tenantId, f.status ?? null, f.cursor ?? null, f.limit + 1],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export function recordApproval(
  q: Queryable,
  id: string,
  a: { status: string; rejectionReason: string | null; submittedAt?: Date; now: Date },
): Promise<TemplateRow> {
  return q.one<TemplateRow>(
    `UPDATE whatsapp_templates SET approval_status = $2, rejection_reason = $3,
       submitted_at = COALESCE($4, submitted_at), status_checked_at = $5, updated_at = $5
     WHERE id = $1 RETURNING *`,
    [id, a.status, a.rejectionReason, a.submittedAt ?? null, a.now],
  );
}
