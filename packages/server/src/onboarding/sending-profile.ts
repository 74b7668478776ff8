/**
 * The gate (docs/messaging.md, "The registration gate"): may this tenant send, from which
 * senders, on which lane? Owned by onboarding, read by messaging (`messaging/send/gate.ts`
 * caches it per process; a registration's every change reaches that cache through the change
 * feed), which derives the lane's rate and caps from `lane` with `@subtext/telecom/lanes`.
 *
 * 10DLC is ready only when the brand is APPROVED (and, for a sole proprietor, its OTP
 * VERIFIED), the campaign VERIFIED, and the sender attached to that campaign's Messaging
 * Service; toll-free only when the verification is TWILIO_APPROVED. Unregistered traffic is
 * blocked by the carriers (30034 for 10DLC, 30032 for toll-free), so we refuse it
 * before it costs anything. One query: the columns are kept current by the flow's steps.
 */
import type { Queryable } from "../db/db.js";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import type { RegistrationRow } from "./store.js";
import { registrationEta } from "./timeline.js";

export interface SendingProfile {
  tenantId: string;
  /** 10DLC: brand and campaign approved and the sender attached; toll-free: the number verified. */
  ready: boolean;
  /** Why not, when not ready: the code and message the send API answers with. */
  blockedReason?: {
    code: "registration_required" | "registration_pending" | "registration_failed" | "registration_suspended";
    message: string;
    /** The expected approval date (YYYY-MM-DD), while one can be estimated. */
    eta?: string;
    registrationId?: string;
  };
  /** The registration the profile was read from: the ready one (10DLC before toll-free), else the newest. */
  registrationId?: string;
  kind?: RegistrationKind;
  /** The Messaging Service (MG…) in the tenant's subaccount that the campaign is attached to. */
  messagingServiceSid?: string;
  senders: { phoneNumber: string; phoneNumberSid: string; type: "local" | "toll_free" }[];
  /** Only when ready: what the lane's rate and daily caps follow from. */
  lane?: {
    id: string;
    kind: "10dlc_campaign" | "toll_free_number";
    brandType: "STANDARD" | "SOLE_PROPRIETOR" | "LOW_VOLUME_STANDARD";
    trustScore: number | null;
    brandId: string;
  };
}

type GateRow = Pick<
  RegistrationRow,
  | "id"
  | "kind"
  | "channel"
  | "state"
  | "brand_sid"
  | "brand_status"
  | "brand_identity_status"
  | "trust_score"
  | "messaging_service_sid"
  | "campaign_status"
  | "phone_number_sid"
  | "phone_number"
  | "sender_attached"
  | "tollfree_verification_sid"
  | "tollfree_status"
  | "created_at"
  | "brand_submitted_at"
  | "campaign_submitted_at"
  | "review_started_at"
  | "failure"
>;

/** Whether a registration row allows sending (pure). */
export function isReady(r: GateRow): boolean {
  if (r.state !== "approved" || !r.phone_number_sid || !r.phone_number) return false;
  if (r.channel === "toll_free") return r.tollfree_status === "TWILIO_APPROVED";
  const verified = r.kind !== "sole_proprietor" || r.brand_identity_status === "VERIFIED";
  return (
    r.brand_status === "APPROVED" &&
    verified &&
    r.campaign_status === "VERIFIED" &&
    r.sender_attached &&
    r.messaging_service_sid !== null
  );
}

const BRAND_TYPE: Record<RegistrationKind, NonNullable<SendingProfile["lane"]>["brandType"]> = {
  sole_proprietor: "SOLE_PROPRIETOR",
  standard: "STANDARD",
  low_volume_standard: "LOW_VOLUME_STANDARD",
  // A toll-free lane has no brand; its rate comes from lane.kind (3 MPS per number).
  toll_free: "STANDARD",
};

/** The profile for one tenant from its registrations (pure; exported for tests and callers with rows). */
export function sendingProfileOf(tenantId: string, rows: GateRow[]): SendingProfile {
  if (rows.length === 0) {
    return {
      tenantId,
      ready: false,
      senders: [],
      blockedReason: {
        code: "registration_required",
        message: "This tenant has no registration: US carriers block unregistered A2P traffic.",
      },
    };
  }
  // A ready 10DLC lane first (more throughput), then a ready toll-free one, then the newest.
  const ready = rows
    .filter(isReady)
    .sort((a, b) => (a.channel === b.channel ? 0 : a.channel === "10dlc" ? -1 : 1));
  const chosen = ready[0] ?? [...rows].sort((a, b) => (a.id < b.id ? 1 : -1))[0];
  const profile: SendingProfile = {
    tenantId,
    ready: ready.length > 0,
    registrationId: chosen.id,
    kind: chosen.kind,
    messagingServiceSid: chosen.messaging_service_sid ?? undefined,
    senders:
      chosen.phone_number && chosen.phone_number_sid
        ? [
            {
              phoneNumber: chosen.phone_number,
              phoneNumberSid: chosen.phone_number_sid,
              type: chosen.channel === "toll_free" ? "toll_free" : "local",
            },
          ]
        : [],
  };
  if (profile.ready) {
    profile.lane = {
      id: chosen.id,
      kind: chosen.channel === "toll_free" ? "toll_free_number" : "10dlc_campaign",
      brandType: BRAND_TYPE[chosen.kind],
      trustScore: chosen.trust_score,
      brandId:
        (chosen.channel === "toll_free" ? chosen.tollfree_verification_sid : chosen.brand_sid) ?? chosen.id,
    };
    return profile;
  }
  profile.blockedReason = blocked(chosen);
  return profile;
}

function blocked(r: GateRow): NonNullable<SendingProfile["blockedReason"]> {
  const eta = registrationEta(r)?.latest;
  if (r.state === "suspended") {
    return {
      code: "registration_suspended",
      message: `Registration ${r.id} is suspended by Twilio or the carriers; sending stays blocked.`,
      registrationId: r.id,
    };
  }
  if (r.state === "failed") {
    const stage = r.failure?.stage ? ` at the ${r.failure.stage.replace(/_/g, " ")} stage` : "";
    return {
      code: "registration_failed",
      message: `Registration ${r.id} failed${stage}: fix the data (PATCH) and resubmit it.`,
      registrationId: r.id,
      ...(eta ? { eta } : {}),
    };
  }
  return {
    code: "registration_pending",
    message:
      r.channel === "toll_free"
        ? `Toll-free verification ${r.id} is not approved yet (usually 3–5 business days).`
        : `10DLC registration ${r.id} is not approved yet (usually 13–20 business days: brand, then campaign).`,
    registrationId: r.id,
    ...(eta ? { eta } : {}),
  };
}

export async function getSendingProfile(q: Queryable, tenantId: string): Promise<SendingProfile> {
  const { rows } = await q.query<GateRow>(
    `SELECT id, kind, channel, state, brand_sid, brand_status, brand_identity_status, trust_score,
       messaging_service_sid, campaign_status, phone_number_sid, phone_number, sender_attached,
       tollfree_verification_sid, tollfree_status, created_at, brand_submitted_at, campaign_submitted_at,
       review_started_at, failure
     FROM registrations WHERE tenant_id = $1`,
    [tenantId],
  );
  return sendingProfileOf(tenantId, rows);
}
