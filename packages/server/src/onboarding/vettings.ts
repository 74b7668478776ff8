/**
 * Brand vettings (docs/onboarding.md, "Leaving low-volume standard"; Twilio's BrandVetting
 * resource, https://www.twilio.com/docs/messaging/api/brand-vetting-resource):
 *
 * - `aegis`: secondary vetting. A low-volume standard brand skipped it at registration; once it
 *   succeeds the brand has a vetted trust score, the registration becomes `standard`, and its
 *   lanes take the rate and caps of that score (the dispatcher applies them on its next look,
 *   recorded in each lane's history).
 * - `campaign-verify`: the Campaign Verify token of a political sender, imported on the brand;
 *   a POLITICAL campaign is added once it succeeded.
 *
 * A durable job creates the vetting at Twilio (finding one a crashed attempt created first),
 * follows it until Twilio is done, and applies the result in one transaction with
 * `registration.updated`.
 */
import { type Queryable, isUniqueViolation } from "../db/db.js";
import { newId } from "../db/ids.js";
import type { JobRow } from "../jobs/queue.js";
import type { Snooze } from "../jobs/runner.js";
import { SubtextError } from "../kernel/errors.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../tenancy/tenants.js";
import { twilioCall } from "../twilio/errors.js";
import { emitRegistrationUpdated } from "./events.js";
import type { FlowDeps } from "./flows/step.js";
import { requireRegistration } from "./intake.js";
import { type RegistrationRow, findRegistration, lockRegistration } from "./store.js";

export const VETTING_JOB = "onboarding.vetting";
export const VETTING_PROVIDERS = ["aegis", "campaign-verify"] as const;
export type VettingProvider = (typeof VETTING_PROVIDERS)[number];

export interface VettingPayload {
  vetting_id: string;
}

export interface VettingRow {
  id: string;
  registration_id: string;
  tenant_id: string;
  provider: VettingProvider;
  vetting_token: string | null;
  state: "in_progress" | "succeeded" | "failed";
  vetting_sid: string | null;
  vetting_status: string | null;
  vetting_class: string | null;
  trust_score_before: number | null;
  trust_score: number | null;
  kind_before: string;
  kind_after: string | null;
  failure: { reason: string; twilio_code: number | null; hint: string } | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const MAX_POLL_MS = 3_600_000;

export async function succeededVetting(
  q: Queryable,
  registrationId: string,
  provider: VettingProvider,
): Promise<boolean> {
  const row = await q.maybeOne<{ id: string }>(
    "SELECT id FROM registration_vettings WHERE registration_id = $1 AND provider = $2 AND state = 'succeeded' LIMIT 1",
    [registrationId, provider],
  );
  return row !== null;
}

export async function listVettings(q: Queryable, registrationId: string): Promise<VettingRow[]> {
  const { rows } = await q.query<VettingRow>(
    "SELECT * FROM registration_vettings WHERE registration_id = $1 ORDER BY created_at DESC, id DESC",
    [registrationId],
  );
  return rows;
}

export function vettingView(v: VettingRow) {
  return {
    id: v.id,
    registration_id: v.registration_id,
    provider: v.provider,
    state: v.state,
    // The token is the customer's: only its end is shown back.
    vetting_token_hint: v.vetting_token ? `…${v.vetting_token.slice(-4)}` : null,
    vetting_sid: v.vetting_sid,
    vetting_status: v.vetting_status,
    vetting_class: v.vetting_class,
    trust_score_before: v.trust_score_before,
    trust_score: v.trust_score,
    kind_before: v.kind_before,
    kind_after: v.kind_after,
    failure: v.failure,
    created_at: v.created_at.toISOString(),
    completed_at: v.completed_at?.toISOString() ?? null,
  };
}

/** Asks Twilio for a brand vetting; the job starts at once and follows it. */
export async function requestVetting(
  deps: FlowDeps,
  tenant: TenantRow,
  registrationId: string,
  input: { provider: VettingProvider; vetting_token?: string },
): Promise<VettingRow> {
  const reg = await requireRegistration(deps.db, tenant.id, registrationId);
  if (input.provider === "campaign-verify" && !input.vetting_token) {
    throw new SubtextError("vetting_token_required", 422, "A Campaign Verify vetting needs its token.", {
      hint: 'Send the token Campaign Verify issued (it starts with "cv|") as vetting_token.',
      details: [{ path: "/vetting_token", code: "vetting_token_required" }],
    });
  }
  if (input.provider === "aegis" && input.vetting_token) {
    throw new SubtextError("vetting_token_unexpected", 422, "Aegis vettings take no token.", {
      hint: "Remove vetting_token: Twilio orders the Aegis vetting itself.",
      details: [{ path: "/vetting_token", code: "vetting_token_unexpected" }],
    });
  }
  if (reg.channel !== "10dlc" || reg.kind === "sole_proprietor") {
    throw new SubtextError(
      "vetting_not_available",
      409,
      `A ${reg.kind.replace(/_/g, " ")} registration has no brand to vet.`,
      {
        hint: "Vettings are for standard and low-volume standard brands (businesses with a tax id).",
      },
    );
  }
  if (reg.state !== "approved" || !reg.brand_sid) {
    throw new SubtextError(
      "registration_not_approved",
      409,
      `Registration ${reg.id} is ${reg.state}; Twilio vets an approved brand.`,
      { hint: `Wait until GET /v1/tenants/${tenant.id}/registrations/${reg.id} says approved.` },
    );
  }
  const now = deps.clock.now();
  let created: { row: VettingRow; jobId: string };
  try {
    created = await deps.db.tx(async (tx) => {
      const row = await tx.one<VettingRow>(
        `INSERT INTO registration_vettings (id, registration_id, tenant_id, provider, vetting_token, state,
           trust_score_before, kind_before, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7, $8, $8) RETURNING *`,
        [
          newId("vet"),
          reg.id,
          tenant.id,
          input.provider,
          input.vetting_token ?? null,
          reg.trust_score,
          reg.kind,
          now,
        ],
      );
      const job = await deps.jobs.enqueue(
        tx,
        VETTING_JOB,
        { vetting_id: row.id },
        // The inline run below goes first; the job is the safety net if this process dies.
        { key: `${VETTING_JOB}:${row.id}`, runAt: new Date(now.getTime() + 60_000) },
      );
      return { row, jobId: job.id };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new SubtextError(
      "vetting_in_progress",
      409,
      `An ${input.provider} vetting of ${reg.id} is under way.`,
      { hint: `Follow it with GET /v1/tenants/${tenant.id}/registrations/${reg.id}/vettings.` },
    );
  }
  await deps.jobs.runNow(created.jobId);
  return (await findVetting(deps.db, created.row.id))!;
}

function findVetting(q: Queryable, id: string): Promise<VettingRow | null> {
  return q.maybeOne<VettingRow>("SELECT * FROM registration_vettings WHERE id = $1", [id]);
}

interface TwilioVetting {
  brandVettingSid: string;
  vettingId: string | null;
  vettingStatus: string;
  vettingClass: string | null;
  vettingProvider: string;
  dateCreated: Date;
}

/** The job: create (or find) the vetting at Twilio, follow it, apply its outcome. */
export async function runVetting(deps: FlowDeps, job: JobRow<VettingPayload>): Promise<Snooze | undefined> {
  const v = await findVetting(deps.db, job.payload.vetting_id);
  if (v?.state !== "in_progress") return;
  const reg = await findRegistration(deps.db, v.registration_id);
  const tenant = reg && (await findTenant(deps.db, reg.tenant_id));
  if (!reg?.brand_sid || !tenant) return;
  const client = await tenantTwilio(deps, tenant);
  const vettings = client.messaging.v1.brandRegistrations(reg.brand_sid).brandVettings;
  let sid = v.vetting_sid;
  if (!sid) {
    // A crashed attempt may have created it: one of this provider's, made since the request,
    // that no other vetting of ours holds.
    const existing = (await twilioCall("list brand vettings", () =>
      vettings.list({ vettingProvider: v.provider, limit: 50 }),
    )) as unknown as TwilioVetting[];
    const { rows: held } = await deps.db.query<{ vetting_sid: string }>(
      "SELECT vetting_sid FROM registration_vettings WHERE registration_id = $1 AND vetting_sid IS NOT NULL",
      [reg.id],
    );
    const taken = new Set(held.map((h) => h.vetting_sid));
    const mine = existing.find(
      (e) =>
        !taken.has(e.brandVettingSid) &&
        e.dateCreated.getTime() >= v.created_at.getTime() - 1_000 &&
        (v.provider !== "campaign-verify" || e.vettingId === v.vetting_token),
    );
    let found: TwilioVetting | undefined = mine;
    if (!found) {
      try {
        found = (await vettings.create({
          vettingProvider: v.provider,
          ...(v.vetting_token ? { vettingId: v.vetting_token } : {}),
        })) as unknown as TwilioVetting;
      } catch (err) {
        const e = err as { status?: number; code?: number; message?: string };
        if (e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429) {
          await fail(deps, v, reg, {
            reason: e.message ?? "Twilio refused the vetting.",
            twilio_code: e.code ?? null,
            hint: "Check the brand (an approved standard brand) and, for Campaign Verify, the token; then ask again.",
          });
          return;
        }
        throw err;
      }
    }
    sid = found.brandVettingSid;
    await deps.db.query(
      "UPDATE registration_vettings SET vetting_sid = $2, vetting_status = $3, vetting_class = $4, updated_at = $5 WHERE id = $1",
      [v.id, sid, found.vettingStatus, found.vettingClass, deps.clock.now()],
    );
  }
  const current = (await twilioCall("read the brand vetting", () =>
    vettings(sid!).fetch(),
  )) as unknown as TwilioVetting;
  const now = deps.clock.now();
  if (current.vettingStatus === "FAILED") {
    await fail(deps, v, reg, {
      reason: `The ${v.provider} vetting failed.`,
      twilio_code: null,
      hint:
        v.provider === "campaign-verify"
          ? "Check the Campaign Verify token (it starts with cv|) and that it is still valid; then ask again with it."
          : "The vetting could not confirm the business: check the registration's business data with Twilio Support.",
    });
    return;
  }
  if (current.vettingStatus !== "SUCCESS") {
    await deps.db.query(
      "UPDATE registration_vettings SET vetting_status = $2, updated_at = $3 WHERE id = $1",
      [v.id, current.vettingStatus, now],
    );
    // 30 s, then half the time waited so far, at most an hour (Aegis takes 1–3 business days).
    const waited = now.getTime() - v.created_at.getTime();
    return { retryAt: new Date(now.getTime() + Math.min(MAX_POLL_MS, Math.max(30_000, waited / 2))) };
  }
  const brand = await twilioCall("read a brand", () =>
    client.messaging.v1.brandRegistrations(reg.brand_sid!).fetch(),
  );
  await succeed(deps, v, current, brand.brandScore ?? null, brand.identityStatus ?? null);
}

async function fail(deps: FlowDeps, v: VettingRow, reg: RegistrationRow, failure: VettingRow["failure"]) {
  const now = deps.clock.now();
  await deps.db.tx(async (tx) => {
    const updated = await tx.one<VettingRow>(
      `UPDATE registration_vettings SET state = 'failed', failure = $2::jsonb, vetting_status = COALESCE(vetting_status, 'FAILED'),
         updated_at = $3, completed_at = $3 WHERE id = $1 AND state = 'in_progress' RETURNING *`,
      [v.id, JSON.stringify(failure), now],
    );
    await emitRegistrationUpdated(tx, reg, { event: "vetting_failed", vetting: vettingView(updated) });
  });
}

/**
 * Success: an Aegis vetting's score becomes the brand's trust score, and a low-volume standard
 * brand becomes standard (with its added campaigns), in one transaction with the event.
 */
async function succeed(
  deps: FlowDeps,
  v: VettingRow,
  current: TwilioVetting,
  score: number | null,
  identity: string | null,
) {
  const now = deps.clock.now();
  const tenantId = await deps.db.tx(async (tx) => {
    const reg = (await lockRegistration(tx, v.registration_id))!;
    const aegis = v.provider === "aegis";
    const kind = aegis && reg.kind === "low_volume_standard" ? "standard" : reg.kind;
    const trustScore = aegis ? score : reg.trust_score;
    // The brand's kind and score, on its registration and on the campaigns added to it.
    await tx.query(
      `UPDATE registrations SET kind = $2, trust_score = CASE WHEN parent_id IS NULL THEN $3 ELSE trust_score END,
         brand_identity_status = CASE WHEN parent_id IS NULL THEN COALESCE($4, brand_identity_status) ELSE brand_identity_status END,
         document = jsonb_set(document, '{kind}', to_jsonb($2::text)), updated_at = $5
       WHERE id = $1 OR parent_id = $1`,
      [reg.id, kind, trustScore, aegis ? identity : null, now],
    );
    const updated = await tx.one<VettingRow>(
      `UPDATE registration_vettings SET state = 'succeeded', vetting_status = $2, vetting_class = $3, trust_score = $4,
         kind_after = $5, updated_at = $6, completed_at = $6 WHERE id = $1 RETURNING *`,
      [v.id, current.vettingStatus, current.vettingClass, trustScore, kind, now],
    );
    const after = (await findRegistration(tx, reg.id))!;
    await emitRegistrationUpdated(tx, after, {
      event: "vetting_completed",
      previous_kind: reg.kind,
      trust_score: trustScore,
      vetting: vettingView(updated),
    });
    return reg.tenant_id;
  });
  deps.caches.changed("sending-profile", tenantId);
}
