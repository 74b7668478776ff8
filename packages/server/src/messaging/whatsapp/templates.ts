import { isUniqueViolation } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../../tenancy/tenants.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import type { Snooze } from "../../jobs/runner.js";
import { Defaulted, Dictionary, type Static, Type } from "../../kernel/schema.js";
import { twilioCall } from "../../twilio/errors.js";
import { approvalPollDelayMs, placeholders } from "@subtext/telecom/whatsapp/rules";
import {
  FINAL_APPROVAL,
  type TemplateRow,
  insertTemplate,
  recordApproval,
  templateByName,
} from "./template-store.js";

export const TEMPLATE_STATUS = "whatsapp.template_status";

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock" | "jobs">;

declare module "../../jobs/kinds.js" {
  interface JobPayloads {
    "whatsapp.template_status": { template_id: string };
  }
}

/** A template as POST /v1/whatsapp/templates takes it. */
export const TemplateInput = Defaulted(
  Type.Object(
    {
      name: Type.String({
        pattern: "^[a-z0-9_]{1,512}$",
        description: "Lower case letters, digits, underscores",
      }),
      language: Type.String({
        pattern: "^[a-z]{2,3}(_[A-Z]{2})?$",
        examples: ["en", "en_US", "pt_BR"],
      }),
      category: Type.Enum(["UTILITY", "MARKETING", "AUTHENTICATION"], { type: "string" }),
      body: Type.String({ minLength: 1, maxLength: 1024 }),
      /** Sample values for {{1}}, {{2}}…: WhatsApp reviews the template with them. */
      variables: Type.Optional(
        Dictionary(Type.String({ minLength: 1, maxLength: 200 }), { maxProperties: 50 }),
      ),
      media_urls: Type.Optional(
        Type.Array(Type.String({ format: "uri", pattern: "^https?://" }), { maxItems: 1 }),
      ),
      /** Submit for WhatsApp approval now (default true). */
      submit: Type.Boolean({ default: true }),
    },
    { additionalProperties: false },
  ),
);
export type TemplateInput = Static<typeof TemplateInput>;

/** Problems WhatsApp's review would reject anyway, refused before anything is created. */
export function templateFindings(input: TemplateInput): { path: string; code: string; message: string }[] {
  const findings: { path: string; code: string; message: string }[] = [];
  const used = placeholders(input.body);
  const missing = used.filter((n) => !input.variables?.[n]);
  if (missing.length > 0) {
    findings.push({
      path: "/variables",
      code: "sample_values_required",
      message: `Give a sample value for ${missing.map((n) => `{{${n}}}`).join(", ")}: WhatsApp reviews templates with them.`,
    });
  }
  const numbers = used.map(Number).sort((a, b) => a - b);
  if (numbers.some((n, i) => n !== i + 1)) {
    findings.push({
      path: "/body",
      code: "placeholders_not_sequential",
      message: "Placeholders must be {{1}}, {{2}}, … without gaps.",
    });
  }
  return findings;
}

/**
 * Creates a Content template in the tenant's subaccount and (by default) submits it for
 * WhatsApp approval; a durable job then follows the review. The SDK's typings are camelCase
 * but it posts the object verbatim, so the wire's snake_case spelling is passed as is
 * (docs/twilio-facts.md, "Content templates and WhatsApp").
 */
export async function createTemplate(
  deps: Deps,
  tenant: TenantRow,
  input: TemplateInput,
): Promise<TemplateRow> {
  const findings = templateFindings(input);
  if (findings.length > 0) {
    throw new SubtextError("invalid_template", 422, "The template would be rejected by WhatsApp.", {
      details: findings,
    });
  }
  if (await templateByName(deps.db, tenant.id, input.name, input.language)) throw exists(input);
  const types = input.media_urls?.length
    ? { "twilio/media": { body: input.body, media: input.media_urls } }
    : { "twilio/text": { body: input.body } };
  const client = await tenantTwilio(deps, tenant);
  const wire = {
    friendly_name: input.name,
    language: input.language,
    variables: input.variables ?? {},
    types,
  };
  const content = await twilioCall("create a Content template", () =>
    client.content.v1.contents.create(wire as any),
  );
  const row = await insertTemplate(deps.db, {
    id: newId("wat"),
    tenant_id: tenant.id,
    content_sid: content.sid,
    name: input.name,
    language: input.language,
    category: input.category,
    types,
    variables: input.variables ?? {},
    now: deps.clock.now(),
  }).catch(async (err: unknown) => {
    if (!isUniqueViolation(err)) throw err;
    // The same name was created concurrently: drop our copy in Twilio, answer as for a duplicate.
    await client.content.v1
      .contents(content.sid)
      .remove()
      .catch(() => undefined);
    throw exists(input);
  });
  return input.submit === false ? row : submitTemplate(deps, tenant, row);
}

function exists(input: TemplateInput): SubtextError {
  return new SubtextError(
    "whatsapp_template_exists",
    409,
    `A template ${input.name} (${input.language}) exists already.`,
    {
      hint: "WhatsApp template names are unique per language; choose another name.",
    },
  );
}

/** Submits (or resubmits, after a rejection) a template for WhatsApp approval. */
export async function submitTemplate(deps: Deps, tenant: TenantRow, row: TemplateRow): Promise<TemplateRow> {
  if (
    row.approval_status === "approved" ||
    row.approval_status === "pending" ||
    row.approval_status === "received"
  ) {
    throw new SubtextError(
      "whatsapp_template_submitted",
      409,
      `The template is ${row.approval_status} already.`,
    );
  }
  const client = await tenantTwilio(deps, tenant);
  const submitted = await twilioCall("submit a template for WhatsApp approval", () =>
    client.content.v1
      .contents(row.content_sid)
      .approvalCreate.create({ name: row.name, category: row.category }),
  );
  const now = deps.clock.now();
  return deps.db.tx(async (tx) => {
    const updated = await recordApproval(tx, row.id, {
      status: submitted.status ?? "received",
      rejectionReason: submitted.rejectionReason ?? null,
      submittedAt: now,
      now,
    });
    await deps.jobs.enqueue(
      tx,
      TEMPLATE_STATUS,
      { template_id: row.id },
      {
        key: `${TEMPLATE_STATUS}:${row.id}`,
        runAt: new Date(now.getTime() + approvalPollDelayMs(now, now)),
        onConflict: "replace",
      },
    );
    return updated;
  });
}

/** The review-following job: asks Twilio until the status is final, less often as time passes. */
export async function followApproval(services: Services, templateId: string): Promise<Snooze | undefined> {
  const row = await services.db.maybeOne<TemplateRow>("SELECT * FROM whatsapp_templates WHERE id = $1", [
    templateId,
  ]);
  if (!row || FINAL_APPROVAL.has(row.approval_status)) return;
  const tenant = await findTenant(services.db, row.tenant_id);
  if (!tenant || tenant.status === "closed") return;
  const client = await tenantTwilio(services, tenant);
  const fetched = await twilioCall("fetch a template's approval", () =>
    client.content.v1.contents(row.content_sid).approvalFetch().fetch(),
  );
  const whatsapp = (fetched.whatsapp ?? {}) as { status?: string; rejection_reason?: string | null };
  const now = services.clock.now();
  const updated = await recordApproval(services.db, row.id, {
    status: whatsapp.status ?? row.approval_status,
    rejectionReason: whatsapp.rejection_reason || null,
    now,
  });
  services.log.info({
    event: "whatsapp.template_status",
    template_id: row.id,
    content_sid: row.content_sid,
    status: updated.approval_status,
  });
  if (FINAL_APPROVAL.has(updated.approval_status)) return;
  return { retryAt: new Date(now.getTime() + approvalPollDelayMs(row.submitted_at ?? now, now)) };
}

export function registerTemplateJobs(services: Services): void {
  services.jobs.register(TEMPLATE_STATUS, {
    handler: (job) => followApproval(services, job.payload.template_id),
    maxAttempts: 10,
    backoff: { baseMs: 30_000, capMs: 15 * 60_000 },
  });
}
