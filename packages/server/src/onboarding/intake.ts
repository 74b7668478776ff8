/**
 * The use cases behind the registration routes: validate (dry run), submit, edit (PATCH) and
 * resubmit. Validation always runs first and counts TCR's reuse limits across every tenant's
 * registrations; a document with an error finding is refused (422) and nothing is created.
 */
import { type Queryable, isUniqueViolation } from "../db/db.js";
import { newId } from "../db/ids.js";
import { SubtextError } from "../kernel/errors.js";
import type { TenantRow } from "../tenancy/tenants.js";
import {
  type RegistrationDocument,
  type RegistrationKind,
  isRegistrationKind,
} from "@subtext/telecom/registration/document";
import { emitRegistrationUpdated } from "./events.js";
import { RESUBMITS, flowFor } from "./flows/index.js";
import type { FlowDeps } from "./flows/step.js";
import { withDeclaredReplies } from "@subtext/telecom/registration/replies";
import { type ValidationResult, validateRegistration } from "@subtext/telecom/registration/rules";
import { cancelStepJobs, enqueueStep, nextPending } from "./runner.js";
import { transition } from "./states.js";
import {
  type RegistrationRow,
  type ReuseKeys,
  countReuse,
  findRegistration,
  insertRegistration,
  listSteps,
  lockRegistration,
  resetSteps,
  updateRegistration,
} from "./store.js";

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/** The values TCR limits across brands, normalized so that spelling variants count as one. */
export function reuseKeys(doc: unknown): ReuseKeys {
  const d = obj(doc);
  const none = { reuse_mobile: null, reuse_email: null, reuse_address: null };
  if (!isRegistrationKind(d.kind) || d.kind === "toll_free") return none;
  const business = obj(d.business);
  const sole = d.kind === "sole_proprietor";
  const email = str(sole ? business.email : obj(business.contact).email);
  const a = obj(business.address);
  const parts = [a.street, a.street_secondary, a.city, a.region, a.postal_code, a.iso_country].map((p) =>
    typeof p === "string" ? p.toLowerCase().replace(/[.,#]/g, " ").replace(/\s+/g, " ").trim() : "",
  );
  return {
    reuse_mobile: sole ? (str(business.mobile_phone_number)?.replace(/[^\d+]/g, "") ?? null) : null,
    reuse_email: email?.toLowerCase() ?? null,
    reuse_address: parts[0] ? parts.join("|") : null,
  };
}

/**
 * validateRegistration with the reuse counts of all tenants (excluding one registration), on the
 * document as it will be submitted: with the keyword replies it leaves out derived from the
 * tenant's data (those are checked too, and always pass). The stored document stays as given,
 * so an edit of the brand later derives them again.
 */
export async function validateDocument(
  q: Queryable,
  doc: unknown,
  excludeId: string | null = null,
): Promise<ValidationResult> {
  const keys = reuseKeys(doc);
  const counted = keys.reuse_mobile || keys.reuse_email || keys.reuse_address;
  const reuse = counted ? await countReuse(q, keys, excludeId) : undefined;
  if (reuse && !keys.reuse_mobile) delete (reuse as { mobile_phone_number?: number }).mobile_phone_number;
  return validateRegistration(withDeclaredReplies(doc), reuse ? { reuse } : {});
}

export function refuseInvalid(result: ValidationResult): void {
  if (result.ok) return;
  const errors = result.findings.filter((f) => f.severity === "error").length;
  throw new SubtextError(
    "registration_invalid",
    422,
    `The registration has ${errors} problem${errors === 1 ? "" : "s"} to fix.`,
    {
      hint: "Each entry in `details` names the field (path), what is wrong and how to fix it. Nothing was sent to Twilio.",
      details: result.findings as unknown as unknown[],
    },
  );
}

export async function createRegistration(
  deps: FlowDeps,
  tenant: TenantRow,
  doc: unknown,
): Promise<RegistrationRow> {
  refuseInvalid(await validateDocument(deps.db, doc));
  if (tenant.status !== "active") {
    throw new SubtextError("tenant_not_active", 409, `Tenant ${tenant.id} is ${tenant.status}.`, {
      hint: "Registrations need an active tenant (with its Twilio subaccount and key).",
    });
  }
  const document = doc as RegistrationDocument;
  const kind = document.kind as RegistrationKind;
  const id = newId("reg");
  try {
    return await deps.db.tx(async (tx) => {
      const steps = flowFor(kind).map((s) => ({ name: s.name, stage: s.stage }));
      const row = await insertRegistration(
        tx,
        { id, tenantId: tenant.id, kind, document, reuse: reuseKeys(doc) },
        steps,
      );
      await enqueueStep(tx, deps, row, steps[0].name, deps.clock.now());
      return row;
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await deps.db.maybeOne<{ id: string; state: string; kind: string }>(
      "SELECT id, state, kind FROM registrations WHERE tenant_id = $1 AND channel = $2 AND parent_id IS NULL",
      [tenant.id, kind === "toll_free" ? "toll_free" : "10dlc"],
    );
    throw new SubtextError(
      "registration_exists",
      409,
      `Tenant ${tenant.id} already has a ${kind === "toll_free" ? "toll-free" : "10DLC"} registration${existing ? ` (${existing.id}, ${existing.state})` : ""}.`,
      { hint: existingHint(tenant.id, existing) },
    );
  }
}

/** What to do instead of a second registration, for the one the tenant has. */
function existingHint(
  tenantId: string,
  existing: { id: string; state: string; kind: string } | null,
): string {
  const path = `/v1/tenants/${tenantId}/registrations/${existing?.id ?? "{rid}"}`;
  if (!existing) return "Read the tenant's registrations (GET /v1/tenants/{id}/registrations).";
  if (existing.state === "failed")
    return `Fix it instead: PATCH ${path} with the corrected fields, then POST ${path}/resubmit.`;
  if (existing.state === "suspended")
    return "Its brand or campaign is suspended: only Twilio Support lifts it.";
  if (existing.kind === "toll_free")
    return `Follow it with GET ${path}; a tenant has one toll-free verification.`;
  if (existing.kind === "sole_proprietor")
    return `Follow it with GET ${path}. A sole proprietor brand has exactly one campaign; more use cases need a business with a tax id (a standard brand, on another tenant).`;
  const upgrade =
    existing.kind === "low_volume_standard"
      ? ` To leave low-volume standard, ask for secondary vetting: POST ${path}/vettings {"provider": "aegis"}.`
      : "";
  if (existing.state === "approved")
    return `One brand per tenant: for another use case add a campaign to it, POST ${path}/campaigns.${upgrade}`;
  return `It is ${existing.state}: follow it with GET ${path}; once approved, campaigns for other use cases are added to it (POST ${path}/campaigns).${upgrade}`;
}

export async function requireRegistration(
  q: Queryable,
  tenantId: string,
  id: string,
): Promise<RegistrationRow> {
  const reg = await findRegistration(q, id);
  if (!reg || reg.tenant_id !== tenantId || reg.parent_id !== null) {
    throw new SubtextError("not_found", 404, `No registration with id ${id}.`, {
      hint: "Check the id, and that it belongs to this tenant.",
    });
  }
  return reg;
}

/** RFC 7396 JSON merge patch: objects merge, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...obj(target) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Edits the data of a failed registration (the remediation loop); validation runs again. */
export async function patchRegistration(
  deps: FlowDeps,
  tenantId: string,
  id: string,
  patch: Record<string, unknown>,
): Promise<RegistrationRow> {
  const reg = await requireRegistration(deps.db, tenantId, id);
  if ("kind" in patch && patch.kind !== reg.kind) {
    const upgrade = reg.kind === "low_volume_standard" && patch.kind === "standard";
    throw new SubtextError("kind_immutable", 422, "A registration's kind cannot change by PATCH.", {
      hint: upgrade
        ? `Remove \`kind\` from the patch. A low-volume standard brand becomes standard through secondary vetting: POST /v1/tenants/${tenantId}/registrations/${id}/vettings {"provider": "aegis"}.`
        : "Remove `kind` from the patch. A low-volume standard brand becomes standard through secondary vetting (POST …/vettings); other kinds are different brands.",
    });
  }
  if (reg.state !== "failed") {
    throw new SubtextError(
      "registration_not_editable",
      409,
      `Registration ${id} is ${reg.state}; only a failed one is edited.`,
      {
        hint: "Twilio reviews what was submitted; edit after a failure, then resubmit.",
      },
    );
  }
  const document = { ...obj(mergePatch(reg.document, patch)), kind: reg.kind };
  refuseInvalid(await validateDocument(deps.db, document, reg.id));
  return deps.db.tx(async (tx) => {
    const locked = (await lockRegistration(tx, id))!;
    if (locked.state !== "failed")
      throw new SubtextError("registration_not_editable", 409, `Registration ${id} is ${locked.state}.`);
    return updateRegistration(tx, id, {
      document: document as unknown as RegistrationDocument,
      reuse: reuseKeys(document),
    });
  });
}

/** Resubmits only the failed stage: its steps (and those it depends on) converge again. */
export async function resubmitRegistration(
  deps: FlowDeps,
  tenantId: string,
  id: string,
): Promise<RegistrationRow> {
  const reg = await requireRegistration(deps.db, tenantId, id);
  if (reg.state === "suspended") {
    throw new SubtextError("registration_suspended", 409, `Registration ${id} is suspended.`, {
      hint: "Suspensions are lifted by Twilio Support, not by resubmitting.",
    });
  }
  if (reg.state !== "failed" || !reg.failure) {
    throw new SubtextError(
      "registration_not_failed",
      409,
      `Registration ${id} is ${reg.state}; only a failed one is resubmitted.`,
    );
  }
  if (!reg.failure.remediable) {
    throw new SubtextError(
      "registration_not_remediable",
      409,
      "Twilio does not take a resubmission of this rejection.",
      {
        hint: reg.failure.reasons[0]?.hint,
      },
    );
  }
  refuseInvalid(await validateDocument(deps.db, reg.document, reg.id));
  const flow = flowFor(reg.kind);
  const stages = RESUBMITS[reg.failure.stage as keyof typeof RESUBMITS] ?? [reg.failure.stage];
  const names = flow.filter((s) => (stages as string[]).includes(s.stage)).map((s) => s.name);
  return deps.db.tx(async (tx) => {
    const locked = (await lockRegistration(tx, id))!;
    const state = transition(locked.state, "resubmitted");
    await resetSteps(tx, id, names);
    await cancelStepJobs(tx, id);
    const updated = await updateRegistration(tx, id, {
      state,
      failure: null,
      generation: locked.generation + 1,
    });
    const steps = new Map((await listSteps(tx, id)).map((s) => [s.name, s]));
    const first = nextPending(flow, steps);
    if (first) await enqueueStep(tx, deps, updated, first.name, deps.clock.now());
    await emitRegistrationUpdated(tx, updated, { previous_state: locked.state, event: "resubmitted" });
    return updated;
  });
}
