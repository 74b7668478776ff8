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
import type { RegistrationState } from "./states.js";
import type { RegistrationRow } from "./store.js";
import { type NumberRow, liveNumbers } from "./numbers/store.js";
import { liveShortCodes } from "./shortcodes/short-codes.js";
import { registrationEta } from "./timeline.js";

type BlockedCode =
  | "registration_required"
  | "registration_pending"
  | "registration_failed"
  | "registration_suspended"
  | "campaign_deleted"
  | "no_sender";

export interface BlockedReason {
  code: BlockedCode;
  message: string;
  /** The expected approval date (YYYY-MM-DD), while one can be estimated. */
  eta?: string;
  registrationId?: string;
}

export interface Sender {
  phoneNumber: string;
  phoneNumberSid: string;
  type: "local" | "toll_free";
}

/** A live short code in a campaign's Messaging Service (onboarding/shortcodes). */
export interface ShortCodeSender {
  code: string;
  sid: string;
}

export interface LaneInfo {
  id: string;
  kind: "10dlc_campaign" | "toll_free_number";
  brandType: "STANDARD" | "SOLE_PROPRIETOR" | "LOW_VOLUME_STANDARD";
  trustScore: number | null;
  brandId: string;
}

/**
 * One sender channel of the tenant: a 10DLC campaign (the registration's first one, or one added
 * to its brand) with its Messaging Service, or a toll-free registration. A send that names a
 * use case or a Messaging Service goes through exactly this one, and its own gate.
 */
export interface CampaignProfile {
  /** The registration row: `reg_…` (the first campaign, or toll-free) or `cmp_…` (an added campaign). */
  registrationId: string;
  /** The registration that holds the brand (itself for a first campaign). */
  brandRegistrationId: string;
  /** The A2P use case (`2FA`, `MARKETING`…); null for toll-free. */
  useCase: string | null;
  channel: "10dlc" | "toll_free";
  ready: boolean;
  deleted: boolean;
  blockedReason?: BlockedReason;
  kind: RegistrationKind;
  messagingServiceSid?: string;
  senders: Sender[];
  /** Live short codes in its service: sends without `from` leave from the first, each on its own lane. */
  shortCodes: ShortCodeSender[];
  lane?: LaneInfo;
}

export interface SendingProfile {
  tenantId: string;
  /** 10DLC: brand and campaign approved and the sender attached; toll-free: the number verified. */
  ready: boolean;
  /** Why not, when not ready: the code and message the send API answers with. */
  blockedReason?: BlockedReason;
  /** The registration the profile was read from: the ready one (10DLC before toll-free), else the newest. */
  registrationId?: string;
  kind?: RegistrationKind;
  /** The Messaging Service (MG…) in the tenant's subaccount that the campaign is attached to. */
  messagingServiceSid?: string;
  senders: Sender[];
  shortCodes?: ShortCodeSender[];
  /** Only when ready: what the lane's rate and daily caps follow from. */
  lane?: LaneInfo;
  /** Every campaign and toll-free registration, ready or not (the default route is the one above). */
  campaigns: CampaignProfile[];
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
  | "parent_id"
  | "deleted_at"
> & {
  /** The campaign's use case (document.campaign.use_case). */
  use_case: string | null;
  /** An added campaign: its brand registration's state (the brand columns above are the parent's). */
  parent_state: RegistrationState | null;
};

/** Whether a registration row allows sending (pure). */
export function isReady(r: GateRow): boolean {
  if (r.state !== "approved" || !r.phone_number_sid || !r.phone_number) return false;
  if (r.deleted_at) return false;
  if (r.parent_id && r.parent_state !== "approved") return false;
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

const BRAND_TYPE: Record<RegistrationKind, LaneInfo["brandType"]> = {
  sole_proprietor: "SOLE_PROPRIETOR",
  standard: "STANDARD",
  low_volume_standard: "LOW_VOLUME_STANDARD",
  // A toll-free lane has no brand; its rate comes from lane.kind (3 MPS per number).
  toll_free: "STANDARD",
};

/** A number of the tenant in use (numbers/store.ts `liveNumbers`). */
export type GateNumber = Pick<
  NumberRow,
  | "phone_number"
  | "phone_number_sid"
  | "type"
  | "messaging_service_sid"
  | "registration_id"
  | "tollfree_status"
>;

/**
 * A campaign's senders: the numbers in its Messaging Service; a toll-free registration's, its
 * toll-free numbers whose own verification Twilio approved (throughput is granted per number).
 */
function sendersOf(r: GateRow, numbers: GateNumber[]): Sender[] {
  const mine = numbers.filter((n) =>
    r.channel === "toll_free"
      ? n.type === "toll_free" &&
        n.registration_id === r.id &&
        n.tollfree_status === "TWILIO_APPROVED" &&
        (r.messaging_service_sid === null || n.messaging_service_sid === r.messaging_service_sid)
      : n.type !== "toll_free" &&
        r.messaging_service_sid !== null &&
        n.messaging_service_sid === r.messaging_service_sid,
  );
  return mine
    .filter((n) => n.phone_number && n.phone_number_sid)
    .map((n) => ({
      phoneNumber: n.phone_number!,
      phoneNumberSid: n.phone_number_sid!,
      type: n.type === "toll_free" ? "toll_free" : "local",
    }));
}

type GateShortCode = { short_code: string; short_code_sid: string; messaging_service_sid: string };

function campaignOf(r: GateRow, numbers: GateNumber[], shortCodes: GateShortCode[]): CampaignProfile {
  const senders = sendersOf(r, numbers);
  // Approved, but every number released or moved away: nothing to send from.
  const ready = isReady(r) && senders.length > 0;
  const c: CampaignProfile = {
    registrationId: r.id,
    brandRegistrationId: r.parent_id ?? r.id,
    useCase: r.channel === "toll_free" ? null : r.use_case,
    channel: r.channel,
    ready,
    deleted: Boolean(r.deleted_at),
    kind: r.kind,
    messagingServiceSid: r.messaging_service_sid ?? undefined,
    senders,
    shortCodes:
      r.channel === "10dlc"
        ? shortCodes
            .filter((sc) => sc.messaging_service_sid === r.messaging_service_sid)
            .map((sc) => ({ code: sc.short_code, sid: sc.short_code_sid }))
        : [],
  };
  if (ready) {
    c.lane = {
      id: r.id,
      kind: r.channel === "toll_free" ? "toll_free_number" : "10dlc_campaign",
      brandType: BRAND_TYPE[r.kind],
      trustScore: r.trust_score,
      brandId: (r.channel === "toll_free" ? r.tollfree_verification_sid : r.brand_sid) ?? r.id,
    };
  } else c.blockedReason = isReady(r) ? noSender(r) : blocked(r);
  return c;
}

/** The profile for one tenant from its registrations (pure; exported for tests and callers with rows). */
export function sendingProfileOf(
  tenantId: string,
  rows: GateRow[],
  numbers: GateNumber[],
  shortCodes: GateShortCode[] = [],
): SendingProfile {
  const campaigns = rows.map((r) => campaignOf(r, numbers, shortCodes));
  const firsts = rows.filter((r) => !r.parent_id);
  if (firsts.length === 0) {
    return {
      tenantId,
      ready: false,
      senders: [],
      campaigns,
      blockedReason: {
        code: "registration_required",
        message: "This tenant has no registration: US carriers block unregistered A2P traffic.",
      },
    };
  }
  // A ready 10DLC lane first (more throughput), then a ready toll-free one, then the newest.
  const ready = firsts
    .filter((r) => campaigns[rows.indexOf(r)].ready)
    .sort((a, b) => (a.channel === b.channel ? 0 : a.channel === "10dlc" ? -1 : 1));
  const chosen = ready[0] ?? [...firsts].sort((a, b) => (a.id < b.id ? 1 : -1))[0];
  const c = campaigns[rows.indexOf(chosen)];
  const profile: SendingProfile = {
    tenantId,
    ready: ready.length > 0,
    registrationId: chosen.id,
    kind: chosen.kind,
    messagingServiceSid: c.messagingServiceSid,
    senders: c.senders,
    shortCodes: c.shortCodes,
    campaigns,
  };
  if (profile.ready) profile.lane = c.lane;
  else profile.blockedReason = c.blockedReason;
  return profile;
}

function noSender(r: GateRow): BlockedReason {
  return {
    code: "no_sender",
    message: `${r.parent_id ? "Campaign" : "Registration"} ${r.id} is approved but has no number to send from: its numbers were released or moved.`,
    registrationId: r.id,
  };
}

function blocked(r: GateRow): BlockedReason {
  const eta = registrationEta(r)?.latest;
  const what = r.parent_id ? "Campaign" : "Registration";
  if (r.deleted_at) {
    return {
      code: "campaign_deleted",
      message: `Campaign ${r.id} (${r.use_case}) was deleted; its Messaging Service sends no more.`,
      registrationId: r.id,
    };
  }
  if (r.parent_id && r.parent_state !== "approved" && r.state === "approved") {
    return {
      code: r.parent_state === "suspended" ? "registration_suspended" : "registration_failed",
      message: `The brand of campaign ${r.id} (registration ${r.parent_id}) is ${r.parent_state}.`,
      registrationId: r.parent_id,
    };
  }
  if (r.state === "suspended") {
    return {
      code: "registration_suspended",
      message: `${what} ${r.id} is suspended by Twilio or the carriers; sending stays blocked.`,
      registrationId: r.id,
    };
  }
  if (r.state === "failed") {
    const stage = r.failure?.stage ? ` at the ${r.failure.stage.replace(/_/g, " ")} stage` : "";
    return {
      code: "registration_failed",
      message: r.parent_id
        ? `Campaign ${r.id} failed${stage}: see its failure reasons; delete it and add it again with the fixes.`
        : `Registration ${r.id} failed${stage}: fix the data (PATCH) and resubmit it.`,
      registrationId: r.id,
      ...(eta ? { eta } : {}),
    };
  }
  return {
    code: "registration_pending",
    message:
      r.channel === "toll_free"
        ? `Toll-free verification ${r.id} is not approved yet (usually 3–5 business days).`
        : r.parent_id
          ? `Campaign ${r.id} (${r.use_case}) is not approved yet (usually 10–15 business days).`
          : `10DLC registration ${r.id} is not approved yet (usually 13–20 business days: brand, then campaign).`,
    registrationId: r.id,
    ...(eta ? { eta } : {}),
  };
}

export async function getSendingProfile(q: Queryable, tenantId: string): Promise<SendingProfile> {
  // An added campaign's brand columns (and kind, which a vetting may change) are its parent's.
  const { rows } = await q.query<GateRow>(
    `SELECT r.id, COALESCE(p.kind, r.kind) AS kind, r.channel, r.state,
       COALESCE(p.brand_sid, r.brand_sid) AS brand_sid, COALESCE(p.brand_status, r.brand_status) AS brand_status,
       COALESCE(p.brand_identity_status, r.brand_identity_status) AS brand_identity_status,
       CASE WHEN p.id IS NULL THEN r.trust_score ELSE p.trust_score END AS trust_score,
       r.messaging_service_sid, r.campaign_status, r.phone_number_sid, r.phone_number, r.sender_attached,
       r.tollfree_verification_sid, r.tollfree_status, r.created_at, r.brand_submitted_at, r.campaign_submitted_at,
       r.review_started_at, r.failure, r.parent_id, r.deleted_at, r.document->'campaign'->>'use_case' AS use_case,
       p.state AS parent_state
     FROM registrations r LEFT JOIN registrations p ON p.id = r.parent_id
     WHERE r.tenant_id = $1 ORDER BY r.id`,
    [tenantId],
  );
  return sendingProfileOf(tenantId, rows, await liveNumbers(q, tenantId), await liveShortCodes(q, tenantId));
}
