/**
 * The compliance gate and the lane of a message. A tenant sends only when its registration
 * says so (`getSendingProfile`, owned by onboarding); the profile also names the messaging
 * service, the senders and the brand, from which the lane and its limits follow.
 */
import { type SendingProfile, getSendingProfile } from "../../onboarding/sending-profile.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import type { LaneKind } from "@subtext/telecom/lanes";
import type { LaneSpec } from "../store/lanes.js";
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

export function gateError(profile: SendingProfile): SubtextError {
  const reason = profile.blockedReason;
  const code = reason?.code ?? "registration_required";
  const status = code === "registration_pending" || code === "registration_failed" ? 409 : 403;
  const eta = reason?.eta ? ` Expected approval: ${reason.eta}.` : "";
  const hints: Record<string, string> = {
    registration_required: "Register the tenant first: POST /v1/tenants/{id}/registrations.",
    registration_pending: `The registration is under review; sending opens when it is approved.${eta}`,
    registration_failed: "The registration failed: see its failure reasons, fix the data and resubmit.",
    registration_suspended: "The registration is suspended by the carriers or Twilio; contact support.",
  };
  return new SubtextError(code, status, reason?.message ?? "This tenant cannot send messages yet.", {
    hint: hints[code] ?? hints.registration_required,
    details: [
      { registration_id: reason?.registrationId ?? profile.registrationId ?? null, eta: reason?.eta ?? null },
    ],
  });
}

function rateKindOf(profile: SendingProfile): LaneKind {
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

/** The route of a valid message for a ready profile, or the reason it cannot go. */
export function routeFor(
  profile: SendingProfile,
  send: Pick<ValidSend, "from" | "messagingServiceId">,
): Route {
  if (!profile.ready) throw gateError(profile);
  if (send.messagingServiceId && send.messagingServiceId !== profile.messagingServiceSid) {
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
  const sender = send.from ? profile.senders.find((s) => s.phoneNumber === send.from) : undefined;
  if (send.from && !sender) {
    throw new SubtextError(
      "unknown_sender",
      422,
      `${send.from} is not one of this tenant's registered senders.`,
      {
        hint: "Omit from to let the messaging service choose, or use one of the tenant's numbers.",
        details: [{ path: "/from", code: "unknown_sender", twilio_code: 21606 }],
        twilio_code: 21606,
      },
    );
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
    from: send.from,
    scopes: send.from ? [...scopes, send.from] : scopes,
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

/** The lanes a ready profile sends on (one per toll-free number, or the campaign's). */
export function profileLanes(profile: SendingProfile): LaneSpec[] {
  if (!profile.ready) return [];
  const blank = { from: null, messagingServiceId: null };
  if (rateKindOf(profile) !== "toll_free") return [routeFor(profile, blank).lane];
  return profile.senders
    .filter((s) => s.type === "toll_free")
    .map((s) => routeFor(profile, { ...blank, from: s.phoneNumber }).lane);
}
