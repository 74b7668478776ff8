/**
 * After approval, a daily look at the registration's brand and campaign (or toll-free
 * verification): carriers suspend brands and campaigns later, and Twilio reports it only by
 * Event Streams. A suspension is surfaced (state `suspended`, the gate closes), never retried;
 * a brand that failed takes its campaign down with it (deleted, so it does not linger).
 */
import type { JobRow } from "../jobs/queue.js";
import type { Snooze } from "../jobs/runner.js";
import type { Queryable } from "../db/db.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import { findTenant } from "../tenancy/tenants.js";
import { twilioCall } from "../twilio/errors.js";
import { CAMPAIGN_SID } from "./flows/payloads.js";
import type { FlowDeps } from "./flows/step.js";
import { explain } from "./hints.js";
import { failRegistration } from "./runner.js";
import {
  type Failure,
  type RegistrationColumns,
  findRegistration,
  lockRegistration,
  updateRegistration,
} from "./store.js";

export const WATCH_JOB = "onboarding.watch";
export const WATCH_INTERVAL_MS = 24 * 3_600_000;

export interface WatchPayload {
  registration_id: string;
}

export async function scheduleWatch(
  q: Queryable,
  deps: Pick<FlowDeps, "jobs">,
  registrationId: string,
  now: Date,
) {
  await deps.jobs.enqueue(
    q,
    WATCH_JOB,
    { registration_id: registrationId },
    {
      key: `${WATCH_JOB}:${registrationId}`,
      runAt: new Date(now.getTime() + WATCH_INTERVAL_MS),
      onConflict: "replace",
    },
  );
}

interface Finding {
  event: "stage_failed" | "suspended";
  failure: Omit<Failure, "at">;
  set: RegistrationColumns;
}

export async function runWatch(deps: FlowDeps, job: JobRow<WatchPayload>): Promise<Snooze | undefined> {
  const reg = await findRegistration(deps.db, job.payload.registration_id);
  if (reg?.state !== "approved" || reg.deleted_at) return;
  // An added campaign watches its own campaign and the brand its registration holds.
  const brandSid = reg.parent_id
    ? ((await findRegistration(deps.db, reg.parent_id))?.brand_sid ?? null)
    : reg.brand_sid;
  const tenant = await findTenant(deps.db, reg.tenant_id);
  if (tenant?.status !== "active") return;
  const client = await tenantTwilio(deps, tenant);
  const reason = (kind: typeof reg.kind, code: number | null, text: string) =>
    explain(kind, { twilio_code: code, reason: text });
  let found: Finding | null = null;

  if (reg.channel === "toll_free" && reg.tollfree_verification_sid) {
    const v = await twilioCall("read the verification", () =>
      client.messaging.v1.tollfreeVerifications(reg.tollfree_verification_sid!).fetch(),
    );
    if (v.status !== "TWILIO_APPROVED") {
      found = {
        event: "stage_failed",
        set: { tollfree_status: v.status },
        failure: {
          stage: "toll_free",
          twilio_status: v.status,
          remediable: true,
          reasons: [
            reason(reg.kind, v.errorCode ?? null, v.rejectionReason ?? `The verification is ${v.status}.`),
          ],
        },
      };
    }
  } else if (brandSid && reg.messaging_service_sid) {
    const brand = await twilioCall("read a brand", () =>
      client.messaging.v1.brandRegistrations(brandSid).fetch(),
    );
    const usa2p = client.messaging.v1.services(reg.messaging_service_sid).usAppToPerson;
    const [campaign] = await twilioCall("read the campaign", () => usa2p.list({ limit: 1 }));
    const campaignStatus = campaign?.campaignStatus ?? null;
    // An added campaign keeps no brand columns of its own (its registration's are read).
    const set = reg.parent_id
      ? { campaign_status: campaignStatus }
      : { brand_status: brand.status, campaign_status: campaignStatus };
    if (brand.status === "SUSPENDED" || campaignStatus === "SUSPENDED") {
      const stage = brand.status === "SUSPENDED" ? "brand" : "campaign";
      found = {
        event: "suspended",
        set,
        failure: {
          stage,
          twilio_status: "SUSPENDED",
          remediable: false,
          reasons: [
            {
              ...reason(reg.kind, null, `The ${stage} was suspended.`),
              hint: "A suspension needs Twilio Support; sending stays blocked.",
            },
          ],
        },
      };
    } else if (brand.status === "FAILED") {
      if (campaign) await twilioCall("delete the campaign", () => usa2p(CAMPAIGN_SID).remove());
      found = {
        event: "stage_failed",
        set: { ...set, campaign_status: null, campaign_id: null },
        failure: {
          stage: "brand",
          twilio_status: "FAILED",
          remediable: true,
          reasons: [reason(reg.kind, null, brand.failureReason ?? "The brand failed.")],
        },
      };
    } else if (campaignStatus !== "VERIFIED") {
      found = {
        event: "stage_failed",
        set,
        failure: {
          stage: "campaign",
          twilio_status: campaignStatus,
          remediable: true,
          reasons: [
            reason(
              reg.kind,
              null,
              campaign ? `The campaign is ${campaignStatus}.` : "The campaign no longer exists.",
            ),
          ],
        },
      };
    }
  }
  if (!found) return { retryAt: new Date(deps.clock.now().getTime() + WATCH_INTERVAL_MS) };
  const { event, failure, set } = found;
  await deps.db.tx(async (tx) => {
    const locked = await lockRegistration(tx, reg.id);
    if (locked?.state !== "approved") return;
    await failRegistration(tx, deps, await updateRegistration(tx, reg.id, set), failure, event);
  });
}
