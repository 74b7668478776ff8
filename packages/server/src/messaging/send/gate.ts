/**
 * The compliance gate and the lane of a message. A tenant sends only when its registration
 * says so (`getSendingProfile`, owned by onboarding); the profile also names the messaging
 * service, the senders and the brand, from which the lane and its limits follow.
 */
import {
  type CampaignProfile,
  type SendingProfile,
  getSendingProfile,
} from "../../onboarding/sending-profile.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import type { LaneKind } from "@subtext/telecom/lanes";
import type { LaneRow, LaneSpec } from "../store/lanes.js";
import { ALL_SENDERS } from "../optouts/store.js";
import type { ValidSend } from "./validate.js";

/** Where a message goes: its lane and what to send to Twilio. */
export interface Route {
  lane: LaneSpec;
  /** MessagingServiceSid for Twilio (10DLC always; toll-free when the number is in a service). */
  messagingServiceSid: string | null;
  /** From for Twilio; null lets the messaging service choose the sender. */
  from: string | null;
  /** Suppression scopes that block this message. */
  scopes: string[];
}

/**
 * The tenant's sending profile, from the runtime's cache: the send path must not pay the
 * registration queries on every request. A registration's every change reaches every process
 * through the change feed (system/changes.ts). Only ready profiles are kept, so a tenant
 * approved a moment ago sends at once even before the announcement arrives.
 */
export function sendingProfile(
  deps: Pick<Services, "db" | "caches">,
  tenantId: string,
): Promise<SendingProfile> {
  const profiles = deps.caches.space<SendingProfile>("sending-profiles", { ttlMs: 60_000 }, (space, on) =>
    on("sending-profile", (id) => (id === undefined ? space.clear() : space.delete(id))),
  );
  return profiles.through(
    tenantId,
    () => getSendingProfile(deps.db, tenantId),
    (p) => p.ready,
  );
}

/** What one send goes through: the tenant's default campaign, or the one the send names. */
type Target = Pick<
  SendingProfile,
  | "tenantId"
  | "ready"
  | "blockedReason"
  | "registrationId"
  | "kind"
  | "messagingServiceSid"
  | "senders"
  | "shortCodes"
  | "lane"
>;

export function gateError(profile: Pick<Target, "blockedReason" | "registrationId">): SubtextError {
  const reason = profile.blockedReason;
  const code = reason?.code ?? "registration_required";
  const status =
    code === "registration_pending" ||
    code === "registration_failed" ||
    code === "campaign_deleted" ||
    code === "no_sender"
      ? 409
      : 403;
  const eta = reason?.eta ? ` Expected approval: ${reason.eta}.` : "";
  const hints: Record<string, string> = {
    registration_required: "Register the tenant first: POST /v1/tenants/{id}/registrations.",
    registration_pending: `The registration is under review; sending opens when it is approved.${eta}`,
    registration_failed: "The registration failed: see its failure reasons, fix the data and resubmit.",
    registration_suspended: "The registration is suspended by the carriers or Twilio; contact support.",
    no_sender: "Buy a number for it (POST /v1/numbers with its messaging_service_id or use_case).",
    campaign_deleted:
      "Send with another use case or Messaging Service (GET /v1/tenants/{id}/registrations/{rid}/campaigns lists them).",
  };
  return new SubtextError(code, status, reason?.message ?? "This tenant cannot send messages yet.", {
    hint: hints[code] ?? hints.registration_required,
    details: [
      { registration_id: reason?.registrationId ?? profile.registrationId ?? null, eta: reason?.eta ?? null },
    ],
  });
}

function rateKindOf(profile: Pick<Target, "kind" | "lane">): LaneKind {
  if (profile.kind === "toll_free") return "toll_free";
  if (
    profile.kind === "sole_proprietor" ||
    profile.kind === "low_volume_standard" ||
    profile.kind === "standard"
  ) {
    return profile.kind;
  }
  switch (profile.lane?.brandType) {
    case "SOLE_PROPRIETOR":
      return "sole_proprietor";
    case "LOW_VOLUME_STANDARD":
      return "low_volume_standard";
    default:
      return "standard";
  }
}

const asTarget = (profile: SendingProfile, c: CampaignProfile): Target => ({
  ...c,
  tenantId: profile.tenantId,
});

function unknownUseCase(profile: SendingProfile, useCase: string): SubtextError {
  const known = profile.campaigns.filter((c) => c.useCase && !c.deleted).map((c) => c.useCase);
  return new SubtextError("unknown_use_case", 422, `This tenant has no ${useCase} campaign.`, {
    hint: known.length
      ? `Use one of ${known.join(", ")}, or add a ${useCase} campaign (POST /v1/tenants/{id}/registrations/{rid}/campaigns).`
      : `Add a ${useCase} campaign first (POST /v1/tenants/{id}/registrations/{rid}/campaigns).`,
    details: [{ path: "/use_case", code: "unknown_use_case" }],
  });
}

/**
 * The campaign a send goes through: the one whose use case or Messaging Service it names (a
 * live one before a deleted one), the one that owns its `from` number, or the default.
 */
function targetOf(
  profile: SendingProfile,
  send: Pick<ValidSend, "from" | "messagingServiceId" | "useCase">,
): Target {
  const live = (list: CampaignProfile[]) => list.find((c) => !c.deleted) ?? list[0];
  if (send.useCase) {
    const c = live(profile.campaigns.filter((c) => c.channel === "10dlc" && c.useCase === send.useCase));
    if (!c) {
      if (!profile.ready && profile.campaigns.length === 0) throw gateError(profile);
      throw unknownUseCase(profile, send.useCase);
    }
    if (send.messagingServiceId && send.messagingServiceId !== c.messagingServiceSid) {
      throw new SubtextError(
        "use_case_service_mismatch",
        422,
        `${send.messagingServiceId} is not the Messaging Service of the ${send.useCase} campaign.`,
        {
          hint: "Name the campaign once: use_case or messaging_service_id.",
          details: [{ path: "/messaging_service_id", code: "use_case_service_mismatch" }],
        },
      );
    }
    return asTarget(profile, c);
  }
  if (send.messagingServiceId) {
    const c = live(profile.campaigns.filter((c) => c.messagingServiceSid === send.messagingServiceId));
    if (c) return asTarget(profile, c);
    if (!profile.ready) throw gateError(profile);
    throw new SubtextError(
      "unknown_messaging_service",
      422,
      `${send.messagingServiceId} is not this tenant's messaging service.`,
      {
        hint: "Omit messaging_service_id to use the tenant's registered messaging service.",
        details: [{ path: "/messaging_service_id", code: "unknown_messaging_service" }],
      },
    );
  }
  if (send.from && !profile.senders.some((s) => s.phoneNumber === send.from)) {
    const owner = profile.campaigns.find(
      (c) => !c.deleted && c.senders.some((s) => s.phoneNumber === send.from),
    );
    if (owner) return asTarget(profile, owner);
  }
  return profile;
}

/** The route of a valid message for a ready profile, or the reason it cannot go. */
export function routeFor(
  profile: SendingProfile,
  send: Pick<ValidSend, "from" | "messagingServiceId" | "useCase">,
): Route {
  return routeTarget(targetOf(profile, send), send.from);
}

function routeTarget(profile: Target, from: string | null): Route {
  if (!profile.ready) throw gateError(profile);
  const sender = from ? profile.senders.find((s) => s.phoneNumber === from) : undefined;
  const shortCode = (profile.shortCodes ?? []).find((sc) => !from || sc.code === from) ?? null;
  if (from && !sender && !shortCode) {
    throw new SubtextError("unknown_sender", 422, `${from} is not one of this tenant's registered senders.`, {
      hint: "Omit from to let the messaging service choose, or use one of the tenant's numbers.",
      details: [{ path: "/from", code: "unknown_sender", twilio_code: 21606 }],
      twilio_code: 21606,
    });
  }
  const mg = profile.messagingServiceSid ?? null;
  const rateKind = rateKindOf(profile);
  const brandId = profile.lane?.brandId ?? null;
  const trustScore = profile.lane?.trustScore ?? null;
  const scopes = [ALL_SENDERS, ...(mg ? [mg] : [])];

  if (rateKind === "toll_free") {
    // Toll-free throughput is granted per number: one lane per number.
    const number = sender?.phoneNumber ?? profile.senders.find((s) => s.type === "toll_free")?.phoneNumber;
    if (!number) throw notReady();
    return {
      lane: {
        tenantId: profile.tenantId,
        key: `toll_free:${number}`,
        kind: "toll_free_number",
        rateKind,
        brandId,
        trustScore,
        messagingServiceSid: mg,
        sender: number,
      },
      messagingServiceSid: mg,
      from: number,
      scopes: [...scopes, number],
    };
  }
  if (!mg) throw notReady();
  if (shortCode) {
    // A live short code in the service: Twilio sends from it first, at its own rate.
    return {
      lane: {
        tenantId: profile.tenantId,
        key: `short_code:${shortCode.sid}`,
        kind: "short_code",
        rateKind: "short_code",
        brandId: null,
        trustScore: null,
        messagingServiceSid: mg,
        sender: shortCode.code,
      },
      messagingServiceSid: mg,
      from: shortCode.code,
      scopes: [...scopes, shortCode.code],
    };
  }
  return {
    // 10DLC throughput is granted per campaign, and a campaign is one messaging service.
    lane: {
      tenantId: profile.tenantId,
      key: `campaign:${mg}`,
      kind: "10dlc_campaign",
      rateKind,
      brandId,
      trustScore,
      messagingServiceSid: mg,
      sender: null,
    },
    messagingServiceSid: mg,
    from,
    scopes: from ? [...scopes, from] : scopes,
  };
}

/**
 * The route of a WhatsApp message: the sender the WhatsApp channel chose (its window and opt-in
 * rules already passed). WhatsApp is not A2P 10DLC, so no registration is needed; each sender
 * is its own lane. Suppression: an opt-out of all senders for the number applies here too
 * (WhatsApp's own STOP is the channel's opt-in record).
 */
export function whatsappRoute(tenantId: string, sender: { from: string }): Route {
  return {
    lane: {
      tenantId,
      key: `whatsapp:${sender.from.replace(/^whatsapp:/, "")}`,
      kind: "whatsapp_sender",
      rateKind: "whatsapp",
      brandId: null,
      trustScore: null,
      messagingServiceSid: null,
      sender: sender.from,
    },
    messagingServiceSid: null,
    from: sender.from,
    scopes: [ALL_SENDERS],
  };
}

function notReady(): SubtextError {
  return new SubtextError(
    "sender_not_ready",
    409,
    "The tenant's registration is approved but no sender is attached yet.",
    {
      hint: "Wait for the onboarding flow to attach the number to the messaging service.",
    },
  );
}

/** The lanes a profile's ready campaigns send on (one per toll-free number, or each campaign's). */
export function profileLanes(profile: SendingProfile): LaneSpec[] {
  const lanes: LaneSpec[] = [];
  for (const c of profile.campaigns) {
    if (!c.ready) continue;
    const target = asTarget(profile, c);
    if (rateKindOf(target) !== "toll_free") {
      lanes.push(routeTarget(target, null).lane);
      // With short codes, each is a lane, and sends naming a number keep the campaign's lane.
      for (const sc of c.shortCodes.slice(1)) lanes.push(routeTarget(target, sc.code).lane);
      if (c.shortCodes.length && c.senders[0]) lanes.push(routeTarget(target, c.senders[0].phoneNumber).lane);
    } else
      for (const s of c.senders.filter((s) => s.type === "toll_free"))
        lanes.push(routeTarget(target, s.phoneNumber).lane);
  }
  return lanes;
}

/**
 * The dispatcher's look at a lane before claiming from it: the gate of the campaign (or toll-free
 * registration) the lane belongs to, and the spec its limits follow from now. A registration
 * that changed since the lane was made (a vetting raised the trust score, the brand left
 * low-volume standard) gives a spec that differs from the lane row.
 */
export function laneGate(
  profile: SendingProfile,
  lane: Pick<LaneRow, "kind" | "messaging_service_sid" | "sender">,
): { ready: true; spec: LaneSpec } | { ready: false; code: string } {
  if (lane.kind === "short_code") {
    const owner = profile.campaigns.find(
      (c) =>
        c.channel === "10dlc" &&
        c.messagingServiceSid === lane.messaging_service_sid &&
        c.shortCodes.some((sc) => sc.code === lane.sender),
    );
    if (!owner) return { ready: false, code: "no_sender" };
    if (!owner.ready) return { ready: false, code: owner.blockedReason?.code ?? "registration_required" };
    return { ready: true, spec: routeTarget(asTarget(profile, owner), lane.sender).lane };
  }
  const c =
    lane.kind === "toll_free_number"
      ? profile.campaigns.find(
          (c) => c.channel === "toll_free" && c.senders.some((s) => s.phoneNumber === lane.sender),
        )
      : profile.campaigns.find(
          (c) => c.channel === "10dlc" && c.messagingServiceSid === lane.messaging_service_sid,
        );
  // A toll-free number released or moved out of the registration's service sends no more.
  if (!c && lane.kind === "toll_free_number") return { ready: false, code: "no_sender" };
  if (!c) return { ready: false, code: profile.blockedReason?.code ?? "registration_required" };
  if (!c.ready) return { ready: false, code: c.blockedReason?.code ?? "registration_required" };
  const route = routeTarget(asTarget(profile, c), lane.kind === "toll_free_number" ? lane.sender : null);
  return { ready: true, spec: route.lane };
}
