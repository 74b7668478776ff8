/**
 * A send to a number outside the US and Canada (docs/international.md, "Sending abroad"). No US
 * registration is involved: the message goes from the tenant's sender for that country, chosen
 * by `senderPlanFor` (an alphanumeric sender ID active there, else a number of the tenant in the
 * country, else refused with what to register), on a lane of that sender, priced from Twilio's
 * per-country prices, after the country's rules:
 * 1. the tenant declared the country (its geo permissions), else 403 `country_not_permitted`;
 * 2. content the country blocks, 422 with the rule's source;
 * 3. the opt-out wording the country requires for marketing, 422 `opt_out_wording_required`
 *    with the wording to add (we refuse rather than append: the tenant sees and pays for
 *    exactly the text it sent);
 * 4. marketing inside the recipient's quiet hours (in the recipient's time zone) is accepted
 *    and scheduled for the end of them (`send_at`), never sent at night.
 */
import type { Services } from "../../kernel/services.js";
import { SubtextError } from "../../kernel/errors.js";
import { type InternationalSenders, internationalSenders } from "../../onboarding/international/senders.js";
import { permittedCountries } from "../../onboarding/international/countries.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { cachedCountryPrices, estimateCountryPrice } from "../../usage/country-prices.js";
import type { LaneRow, LaneSpec } from "../store/lanes.js";
import { ALL_SENDERS } from "../optouts/store.js";
import {
  type MessagePurpose,
  type TenantSender,
  contentViolations,
  countryOf,
  oneWayOptOutText,
  optOutWordingFor,
  quietHoursFor,
  senderOptionsFor,
  senderPlanFor,
} from "@subtext/telecom/countries";
import type { Route } from "./gate.js";
import type { ValidSend } from "./validate.js";

type Deps = Pick<Services, "db" | "clock" | "caches" | "twilio">;

/** The destination's country when it is outside the US and Canada (SMS/MMS only), else null. */
export function abroadCountry(send: Pick<ValidSend, "to" | "channel">): string | null {
  if (send.channel === "whatsapp") return null;
  const country = countryOf(send.to);
  return country && country !== "US" && country !== "CA" ? country : null;
}

/** The tenant's senders abroad, from the runtime's cache (a change announces `sending-profile`). */
export function cachedInternationalSenders(
  deps: Pick<Services, "db" | "caches">,
  tenantId: string,
): Promise<InternationalSenders> {
  const space = deps.caches.space<InternationalSenders>("international-senders", { ttlMs: 60_000 }, (s, on) =>
    on("sending-profile", (id) => (id === undefined ? s.clear() : s.delete(id))),
  );
  return space.through(tenantId, () => internationalSenders(deps.db, tenantId));
}

/** The purpose the country rules apply to: the one given, else the use case's, else marketing. */
export function purposeOf(send: Pick<ValidSend, "purpose" | "useCase">): MessagePurpose {
  if (send.purpose) return send.purpose;
  if (send.useCase === "2FA") return "otp";
  if (send.useCase && send.useCase !== "MARKETING" && send.useCase !== "MIXED") return "transactional";
  return "marketing";
}

/** The tenant's senders in the shape `senderPlanFor` reads, for one destination country. */
export function tenantSendersFor(senders: InternationalSenders, country: string): TenantSender[] {
  const out: TenantSender[] = [];
  for (const a of senders.alpha) {
    // Only an ID set up for this country, and only where it is active (registered when required).
    if (a.active.includes(country))
      out.push({ kind: "alphanumeric", sender_id: a.alphaSenderId, registered_in: [country] });
  }
  for (const n of senders.numbers) {
    out.push(
      n.type === "toll_free"
        ? { kind: "toll_free", e164: n.phoneNumber, country: n.country }
        : { kind: "long_code", e164: n.phoneNumber, country: n.country },
    );
  }
  return out;
}

export const intlLaneKey = (country: string, sender: string) => `intl:${country}:${sender}`;

function laneSpec(tenantId: string, country: string, sender: string, mg: string | null): LaneSpec {
  return {
    tenantId,
    key: intlLaneKey(country, sender),
    kind: "intl_sender",
    rateKind: "international",
    brandId: null,
    trustScore: null,
    messagingServiceSid: mg,
    sender,
  };
}

export function countryNotPermitted(tenantId: string, country: string): SubtextError {
  return new SubtextError(
    "country_not_permitted",
    403,
    `This tenant has not declared ${country} among the countries it sends to; Twilio would refuse the message (21408).`,
    {
      hint: `Add ${country} to the tenant's countries: PUT /v1/tenants/${tenantId}/countries.`,
      twilio_code: 21408,
      details: [{ path: "/to", code: "country_not_permitted", country, twilio_code: 21408 }],
    },
  );
}

/** Whether the body carries the country's opt-out: its fixed wording, or one of its keywords. */
function hasOptOut(body: string, rule: NonNullable<ReturnType<typeof optOutWordingFor>>): boolean {
  const text = body.normalize("NFKC").toLowerCase();
  if (!rule.one_way.includes("{number}") && rule.one_way === rule.two_way) {
    return text.includes(rule.one_way.toLowerCase());
  }
  return rule.keywords.some((k) => new RegExp(`(?<![\\p{L}\\p{N}])${k}(?![\\p{L}\\p{N}])`, "iu").test(text));
}

export interface AbroadSubmission {
  route: Route;
  send: ValidSend;
  priceEstimate: string | null;
}

/** The route, the (possibly rescheduled) send and the price of a send abroad, or why it cannot go. */
export async function abroadSubmission(
  deps: Deps,
  tenant: TenantRow,
  send: ValidSend,
  country: string,
): Promise<AbroadSubmission> {
  const senders = await cachedInternationalSenders(deps, tenant.id);
  if (!permittedCountries(senders.declared).has(country)) throw countryNotPermitted(tenant.id, country);
  const purpose = purposeOf(send);

  const mine = tenantSendersFor(senders, country);
  const named = send.from
    ? mine.find((s) => s.kind !== "alphanumeric" && "e164" in s && s.e164 === send.from)
    : undefined;
  if (send.from && !named) {
    throw new SubtextError("unknown_sender", 422, `${send.from} is not one of this tenant's numbers.`, {
      hint: "Omit from: a send abroad picks the tenant's sender for the country.",
      details: [{ path: "/from", code: "unknown_sender", twilio_code: 21606 }],
      twilio_code: 21606,
    });
  }
  const plan = senderPlanFor(country, named ? [named] : mine);
  if (!plan.ok) {
    const pending = senders.alpha.filter((a) => a.pending.includes(country)).map((a) => a.alphaSenderId);
    const waiting = pending.length
      ? ` The registration of sender ID ${pending.join(", ")} for ${country} is not approved (yet).`
      : "";
    throw new SubtextError(plan.code, 422, `${plan.message}${waiting}`, {
      hint: plan.register.length
        ? `Register ${plan.register[0]} (POST /v1/alpha-senders or POST /v1/numbers); see docs/international.md.`
        : "See docs/international.md for the senders each country takes.",
      details: [
        { path: "/to", code: plan.code, country, register: plan.register, pending_alpha_senders: pending },
      ],
    });
  }
  const sender = plan.sender;
  const alpha =
    sender.kind === "alphanumeric" ? senders.alpha.find((a) => a.alphaSenderId === sender.sender_id)! : null;
  const number =
    sender.kind === "long_code" || sender.kind === "toll_free"
      ? senders.numbers.find((n) => n.phoneNumber === sender.e164)!
      : null;
  const from = alpha ? alpha.alphaSenderId : number!.phoneNumber;
  const replyTo = alpha ? (plan.reply_to ?? alpha.fallbackNumber) : null;

  const violations = contentViolations(country, send.body, purpose, {
    sender_kind: sender.kind,
    dlt_template_id: send.dltTemplateId ?? undefined,
  });
  if (violations.length > 0) {
    const first = violations[0];
    throw new SubtextError(first.code, 422, first.message, {
      hint: "The country's rules block this content; details name each rule and its source.",
      details: violations.map((v) => ({
        path: "/body",
        code: v.code,
        country,
        rule_id: v.rule_id,
        category: v.category,
        matched: v.matched,
        source: v.source,
        confidence: v.confidence,
      })),
    });
  }

  const wording = optOutWordingFor(country, purpose);
  if (wording?.required && send.channel !== "whatsapp" && !hasOptOut(send.body, wording)) {
    const text = alpha
      ? replyTo
        ? oneWayOptOutText(wording, replyTo)
        : wording.one_way.includes("{number}")
          ? null
          : wording.one_way
      : wording.two_way;
    throw new SubtextError(
      "opt_out_wording_required",
      422,
      `Marketing messages to ${country} must say how to opt out${text ? `, e.g. "${text}"` : ""}.`,
      {
        hint: text
          ? `Add "${text}" to the body, or send with purpose "transactional" or "otp" if it is not marketing.`
          : `Sender ID ${from} is one-way: give it a fallback number that takes STOP (POST /v1/alpha-senders with fallback_number) and name it in the body.`,
        details: [
          {
            path: "/body",
            code: "opt_out_wording_required",
            country,
            wording: text,
            keywords: wording.keywords,
            source: wording.source,
          },
        ],
      },
    );
  }

  let scheduled = send;
  const at = send.sendAt ?? deps.clock.now();
  const quiet = quietHoursFor(send.to, at, purpose);
  if (quiet.ok && quiet.quiet && quiet.resumes_at) scheduled = { ...send, sendAt: quiet.resumes_at };

  const mg = alpha?.messagingServiceSid ?? null;
  const prices = await cachedCountryPrices(deps, country);
  const numberType = alpha ? "local" : number!.type === "toll_free" ? "toll free" : number!.type;
  return {
    route: {
      lane: laneSpec(tenant.id, country, from, mg),
      messagingServiceSid: mg,
      from,
      scopes: [ALL_SENDERS, from, ...(replyTo ? [replyTo] : [])],
    },
    send: scheduled,
    priceEstimate: estimateCountryPrice(prices, numberType, send.segments),
  };
}

/**
 * The dispatcher's look at an international lane: its sender must still be the tenant's (an ID
 * not deleted and active in the country, a number not released) and the country still declared.
 */
export function intlLaneGate(
  senders: InternationalSenders,
  lane: Pick<LaneRow, "tenant_id" | "key" | "kind" | "rate_kind" | "messaging_service_sid" | "sender">,
): { ready: true; spec: LaneSpec } | { ready: false; code: string } {
  const country = lane.key.split(":")[1] ?? "";
  if (!senderOptionsFor(country) || !permittedCountries(senders.declared).has(country)) {
    return { ready: false, code: "country_not_permitted" };
  }
  const live =
    senders.alpha.some((a) => a.alphaSenderId === lane.sender && a.active.includes(country)) ||
    senders.numbers.some((n) => n.phoneNumber === lane.sender);
  if (!live || !lane.sender) return { ready: false, code: "no_sender" };
  return { ready: true, spec: laneSpec(lane.tenant_id, country, lane.sender, lane.messaging_service_sid) };
}
