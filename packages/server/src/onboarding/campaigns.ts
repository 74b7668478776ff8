/**
 * Several campaigns per brand (docs/onboarding.md, "Several campaigns"). A registration holds
 * the brand and its first campaign; a campaign for another use case (`2FA` beside `MARKETING`)
 * is added to an approved 10DLC registration as a row of its own (`cmp_…`, parent_id = the
 * registration) with its own durable flow: a Messaging Service, a number bought and attached,
 * and a Usa2p under the brand (Twilio: one campaign per Messaging Service, several per brand).
 *
 * Deleting an added campaign removes its Usa2p at Twilio (a durable job, run at once), closes
 * its gate (sends naming it answer `campaign_deleted`) and cancels what waits on its lane. Its
 * service and number stay in the subaccount; the service never gets a campaign again, so
 * Twilio's wait before re-creating a campaign on a service never applies: a new campaign for
 * the same use case is a new service.
 */
import { type Queryable, isUniqueViolation } from "../db/db.js";
import { newId } from "../db/ids.js";
import type { JobRow } from "../jobs/queue.js";
import { SubtextError } from "../kernel/errors.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import { type TenantRow, findTenant } from "../tenancy/tenants.js";
import { twilioCall, twilioError } from "../twilio/errors.js";
import type { Campaign, RegistrationDocument } from "@subtext/telecom/registration/document";
import { laneRate } from "@subtext/telecom/lanes";
import { emitRegistrationUpdated } from "./events.js";
import { ADDED_CAMPAIGN } from "./flows/index.js";
import { CAMPAIGN_SID } from "./flows/payloads.js";
import type { FlowDeps } from "./flows/step.js";
import { refuseInvalid, requireRegistration, validateDocument } from "./intake.js";
import { cancelStepJobs, enqueueStep } from "./runner.js";
import {
  type RegistrationRow,
  type StepRow,
  findRegistration,
  insertRegistration,
  listAddedCampaigns,
  lockRegistration,
  stepsOf,
  updateRegistration,
} from "./store.js";
import { type NumberRow, listNumbers } from "./numbers/store.js";
import { registrationEta } from "./timeline.js";
import { stepView } from "./view.js";
import { succeededVetting } from "./vettings.js";

export const CAMPAIGN_DELETE_JOB = "onboarding.campaign_delete";

export interface CampaignDeletePayload {
  campaign_id: string;
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
const useCaseOf = (r: RegistrationRow) =>
  (r.document as { campaign?: { use_case?: string } }).campaign?.use_case ?? null;

/** An added campaign of the tenant's registration, or the registration itself (its first campaign). */
export async function requireCampaign(
  q: Queryable,
  tenantId: string,
  registrationId: string,
  campaignId: string,
): Promise<RegistrationRow> {
  const parent = await requireRegistration(q, tenantId, registrationId);
  if (campaignId === parent.id && parent.channel === "10dlc") return parent;
  const row = await findRegistration(q, campaignId);
  if (!row || row.parent_id !== parent.id || row.tenant_id !== tenantId) {
    throw new SubtextError("not_found", 404, `No campaign with id ${campaignId} on ${registrationId}.`, {
      hint: `GET /v1/tenants/${tenantId}/registrations/${registrationId}/campaigns lists them.`,
    });
  }
  return row;
}

/** Adds a campaign for another use case to an approved 10DLC brand; its flow starts at once. */
export async function addCampaign(
  deps: FlowDeps,
  tenant: TenantRow,
  registrationId: string,
  campaign: Record<string, unknown>,
): Promise<RegistrationRow> {
  const parent = await requireRegistration(deps.db, tenant.id, registrationId);
  const path = `/v1/tenants/${tenant.id}/registrations/${parent.id}`;
  if (parent.channel !== "10dlc") {
    throw new SubtextError("campaigns_not_available", 409, "Toll-free verification has no campaigns.", {
      hint: "A toll-free number is verified for its use cases as a whole; campaigns are for 10DLC brands.",
    });
  }
  if (parent.kind === "sole_proprietor") {
    throw new SubtextError("campaign_limit", 409, "A sole proprietor brand has exactly one campaign.", {
      hint: "Twilio allows one campaign (and one number) per sole proprietor brand; more use cases need a business with a tax id.",
    });
  }
  // The document, with this campaign in place of the first one, passes the same rules.
  const document = { ...(parent.document as object), campaign } as unknown as RegistrationDocument;
  refuseInvalid(await validateDocument(deps.db, document, parent.id));
  if (parent.state !== "approved") {
    throw new SubtextError(
      "registration_not_approved",
      409,
      `Registration ${parent.id} is ${parent.state}; a campaign is added to an approved brand.`,
      { hint: `Twilio creates campaigns under an approved brand: wait until GET ${path} says approved.` },
    );
  }
  const useCase = (campaign as unknown as Campaign).use_case;
  const taken = [parent, ...(await listAddedCampaigns(deps.db, parent.id))].find(
    (r) => !r.deleted_at && useCaseOf(r) === useCase,
  );
  if (taken) throw useCaseTaken(path, useCase, taken.id);
  if (useCase === "POLITICAL" && !(await succeededVetting(deps.db, parent.id, "campaign-verify"))) {
    throw new SubtextError(
      "campaign_verify_required",
      409,
      "A POLITICAL campaign needs the brand's Campaign Verify token imported first.",
      {
        hint: `POST ${path}/vettings {"provider": "campaign-verify", "vetting_token": "cv|…"}, wait for it to succeed, then add the campaign.`,
      },
    );
  }
  try {
    return await deps.db.tx(async (tx) => {
      const steps = ADDED_CAMPAIGN.map((s) => ({ name: s.name, stage: s.stage }));
      const none = { reuse_mobile: null, reuse_email: null, reuse_address: null };
      const row = await insertRegistration(
        tx,
        {
          id: newId("cmp"),
          tenantId: tenant.id,
          kind: parent.kind,
          document,
          reuse: none,
          parentId: parent.id,
        },
        steps,
      );
      await enqueueStep(tx, deps, row, steps[0].name, deps.clock.now());
      await emitRegistrationUpdated(tx, row, { event: "campaign_added" });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw useCaseTaken(path, useCase, null);
    throw err;
  }
}

function useCaseTaken(path: string, useCase: string, id: string | null): SubtextError {
  return new SubtextError(
    "campaign_use_case_exists",
    409,
    `The brand already has a ${useCase} campaign${id ? ` (${id})` : ""}.`,
    {
      hint: `One live campaign per use case: send with use_case "${useCase}", or DELETE ${path}/campaigns/${id ?? "{cid}"} first.`,
    },
  );
}

/**
 * Deletes an added campaign: the gate closes in this transaction (sends naming it are refused,
 * its lane's queue is canceled by the dispatcher), its flow stops, and the Usa2p is removed at
 * Twilio by a durable job run at once.
 */
export async function deleteAddedCampaign(
  deps: FlowDeps,
  tenantId: string,
  registrationId: string,
  campaignId: string,
): Promise<RegistrationRow> {
  const found = await requireCampaign(deps.db, tenantId, registrationId, campaignId);
  if (!found.parent_id) {
    throw new SubtextError(
      "campaign_is_registration",
      409,
      `${campaignId} is the registration's first campaign, which holds the brand's registration.`,
      { hint: "Only campaigns added to the brand are deleted; the first one stays with its registration." },
    );
  }
  const { row, jobId } = await deps.db.tx(async (tx) => {
    const locked = (await lockRegistration(tx, found.id))!;
    if (locked.deleted_at) return { row: locked, jobId: null };
    await cancelStepJobs(tx, locked.id);
    const row = await updateRegistration(tx, locked.id, {
      deleted_at: deps.clock.now(),
      generation: locked.generation + 1,
    });
    const job = await deps.jobs.enqueue(
      tx,
      CAMPAIGN_DELETE_JOB,
      { campaign_id: row.id },
      { key: `${CAMPAIGN_DELETE_JOB}:${row.id}`, runAt: new Date(deps.clock.now().getTime() + 60_000) },
    );
    await emitRegistrationUpdated(tx, row, { event: "campaign_deleted" });
    return { row, jobId: job.id };
  });
  deps.caches.changed("sending-profile", row.tenant_id);
  if (jobId) await deps.jobs.runNow(jobId);
  return (await findRegistration(deps.db, row.id))!;
}

/** The job: removes the campaign's Usa2p (404: already gone), then records it. */
export async function runCampaignDelete(deps: FlowDeps, job: JobRow<CampaignDeletePayload>): Promise<void> {
  const row = await findRegistration(deps.db, job.payload.campaign_id);
  if (!row?.deleted_at || row.campaign_status === "DELETED") return;
  const tenant = await findTenant(deps.db, row.tenant_id);
  if (!tenant) return;
  if (row.messaging_service_sid) {
    const client = await tenantTwilio(deps, tenant);
    const usa2p = client.messaging.v1.services(row.messaging_service_sid).usAppToPerson;
    const [existing] = await twilioCall("read the campaign", () => usa2p.list({ limit: 1 }));
    if (existing) {
      try {
        await usa2p(CAMPAIGN_SID).remove();
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw twilioError(err, "delete the campaign");
      }
    }
  }
  await deps.db.tx(async (tx) => {
    const updated = await updateRegistration(tx, row.id, { campaign_status: "DELETED" });
    await emitRegistrationUpdated(tx, updated, { event: "campaign_deleted" });
  });
}

export type CampaignState = RegistrationRow["state"] | "deleting" | "deleted";

/** A campaign as the API shows it: the first one (the registration's) or an added one. */
export function campaignView(
  row: RegistrationRow,
  steps: StepRow[],
  parent: RegistrationRow,
  numbers: NumberRow[],
) {
  const state: CampaignState = row.deleted_at
    ? row.campaign_status === "DELETED"
      ? "deleted"
      : "deleting"
    : row.state;
  const current = steps.find((s) => s.status !== "done");
  const kind = parent.kind;
  const rate = laneRate({ kind: kind === "toll_free" ? "toll_free" : kind, trust_score: parent.trust_score });
  const live = state !== "deleting" && state !== "deleted";
  return {
    id: row.id,
    registration_id: parent.id,
    first: row.parent_id === null,
    use_case: useCaseOf(row),
    state,
    current_step: row.state === "approved" || !live ? null : (current?.name ?? null),
    campaign: (row.document as { campaign?: object }).campaign ?? null,
    messaging_service_sid: row.messaging_service_sid,
    campaign_id: row.campaign_id,
    campaign_status: row.campaign_status,
    numbers: numbersOf(row, numbers),
    lane: row.messaging_service_sid
      ? {
          key: `campaign:${row.messaging_service_sid}`,
          rate_kind: kind,
          trust_score: parent.trust_score,
          mps: rate.mps,
          daily_cap: rate.daily_cap,
          tmobile_daily_cap: rate.tmobile_daily_cap,
        }
      : null,
    steps: row.parent_id === null ? [] : steps.map(stepView),
    failure: row.failure,
    eta: live && row.state !== "approved" ? registrationEta(row) : null,
    created_at: row.created_at.toISOString(),
    approved_at: iso(row.approved_at),
    deleted_at: iso(row.deleted_at),
  };
}

/**
 * A campaign's numbers: those in its Messaging Service (its flow's and any bought for it since),
 * and the one its flow bought while it is not attached yet.
 */
function numbersOf(row: RegistrationRow, numbers: NumberRow[]) {
  const pool = numbers.filter(
    (n) =>
      n.state === "active" &&
      row.messaging_service_sid &&
      n.messaging_service_sid === row.messaging_service_sid,
  );
  const list = pool.map((n) => ({
    phone_number: n.phone_number!,
    phone_number_sid: n.phone_number_sid,
    attached: true,
  }));
  if (
    row.phone_number &&
    !row.sender_attached &&
    !pool.some((n) => n.phone_number_sid === row.phone_number_sid)
  ) {
    list.unshift({ phone_number: row.phone_number, phone_number_sid: row.phone_number_sid, attached: false });
  }
  return list;
}

/** Every campaign of a registration: its first one, then the added ones (deleted ones too). */
export async function listCampaignViews(q: Queryable, parent: RegistrationRow) {
  const added = await listAddedCampaigns(q, parent.id);
  const steps = await stepsOf(
    q,
    added.map((r) => r.id),
  );
  const numbers = await listNumbers(q, parent.tenant_id);
  return [parent, ...added].map((r) => campaignView(r, steps.get(r.id) ?? [], parent, numbers));
}

export async function loadCampaignView(q: Queryable, row: RegistrationRow) {
  const parent = row.parent_id ? (await findRegistration(q, row.parent_id))! : row;
  const steps = row.parent_id ? ((await stepsOf(q, [row.id])).get(row.id) ?? []) : [];
  return campaignView(row, steps, parent, await listNumbers(q, row.tenant_id));
}
