import type { World } from "../../../world.js";
import { type Channel, areaCodeOf, bareNumber, countryPrefix } from "./channel.js";
import { type NumberType, type PhoneNumberDoc, STICKY_SENDERS, type ServiceDoc } from "./collections.js";
import { indexOf, poolOf } from "./state.js";

export interface SenderCandidate {
  sid: string;
  phone_number: string;
  type: NumberType;
  sms: boolean;
  mms: boolean;
}

export interface SenderChoice {
  sender: SenderCandidate;
  rule: "sticky" | "geomatch" | "country" | "round-robin";
}

export interface SenderRules {
  to: string;
  channel: Channel;
  media: boolean;
  /** The sender this recipient got last time, when the service is sticky. */
  sticky: string | null;
  geomatch: boolean;
  /** Round-robin position. */
  turn: number;
}

/**
 * Twilio's sender selection from a Messaging Service pool: the sticky sender for this
 * recipient, else a number with the recipient's area code (geomatch), else one of the
 * recipient's country, else round-robin over the pool. Pure: the caller keeps the state.
 */
export function chooseSender(pool: SenderCandidate[], rules: SenderRules): SenderChoice | null {
  let capable = rules.channel === "whatsapp" ? pool : pool.filter((c) => c.sms || c.mms);
  if (rules.media && rules.channel === "sms") {
    const mms = capable.filter((c) => c.mms);
    if (mms.length > 0) capable = mms;
  }
  if (capable.length === 0) return null;
  const sticky = capable.find((c) => c.sid === rules.sticky);
  if (sticky) return { sender: sticky, rule: "sticky" };
  const pick = (list: SenderCandidate[]) => list[rules.turn % list.length];
  const npa = areaCodeOf(rules.to);
  if (rules.geomatch && npa) {
    const local = capable.filter((c) => c.type === "local" && areaCodeOf(c.phone_number) === npa);
    if (local.length > 0) return { sender: pick(local), rule: "geomatch" };
  }
  const country = capable.filter((c) => countryPrefix(c.phone_number) === countryPrefix(rules.to));
  if (country.length > 0 && country.length < capable.length)
    return { sender: pick(country), rule: "country" };
  return { sender: pick(capable), rule: "round-robin" };
}

/** Chooses the sender for a message of this service and remembers it (sticky, round-robin). */
export function pickSender(
  world: World,
  service: ServiceDoc,
  to: string,
  channel: Channel,
  media: boolean,
): PhoneNumberDoc | null {
  const pool = poolOf(world, service.sid);
  const stickySid = `${service.sid}|${to}`;
  const remembered = service.sticky_sender
    ? (world.store.get<{ sid: string; phone_number_sid: string }>(STICKY_SENDERS, stickySid)
        ?.phone_number_sid ?? null)
    : null;
  const index = indexOf(world);
  const turn = index.roundRobin.get(service.sid) ?? 0;
  const choice = chooseSender(
    pool.map((n) => ({
      sid: n.sid,
      phone_number: n.phone_number,
      type: n.type,
      sms: n.capabilities.sms,
      mms: n.capabilities.mms,
    })),
    { to: bareNumber(to), channel, media, sticky: remembered, geomatch: service.area_code_geomatch, turn },
  );
  if (!choice) return null;
  if (choice.rule !== "sticky") index.roundRobin.set(service.sid, turn + 1);
  if (service.sticky_sender && choice.sender.sid !== remembered)
    world.store.put(STICKY_SENDERS, {
      sid: stickySid,
      account_sid: service.account_sid,
      phone_number_sid: choice.sender.sid,
    });
  return pool.find((n) => n.sid === choice.sender.sid) ?? null;
}
