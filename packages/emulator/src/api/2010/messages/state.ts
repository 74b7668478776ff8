import type { World } from "../../../world.js";
import { bareNumber } from "./channel.js";
import {
  INCOMING_PHONE_NUMBERS,
  MESSAGES,
  type MessageDoc,
  type PhoneNumberDoc,
  SERVICE_PHONE_NUMBERS,
  type ServicePhoneNumberDoc,
} from "./collections.js";

/**
 * In-memory indexes over the store, so that a message create stays O(1) where `store.list()`
 * would scan a collection. They are derived data: rebuilt from the store on start and after a
 * reset, and kept current by the modules that write the collections.
 */
export class MessagingIndex {
  /** e164 → PN sid of the number that anyone owns. */
  readonly numbers = new Map<string, string>();
  /** MG sid → PN sids of its sender pool, in the order they were added. */
  readonly pools = new Map<string, string[]>();
  /** AC sid → message sids, oldest first. */
  readonly accountMessages = new Map<string, string[]>();
  /** Handset e164 → sids of the messages it received, oldest first. */
  readonly inbox = new Map<string, string[]>();
  /** Sender address → emulated ms when its queue is free again (throughput). */
  readonly nextFree = new Map<string, number>();
  /** MG sid → round-robin position in its pool. */
  readonly roundRobin = new Map<string, number>();
}

const indexes = new WeakMap<World, MessagingIndex>();

export function indexOf(world: World): MessagingIndex {
  let index = indexes.get(world);
  if (!index) {
    index = rebuild(world);
    indexes.set(world, index);
  }
  return index;
}

/** Rebuild after a reset (registered as a bootstrap hook). */
export function reindex(world: World) {
  indexes.set(world, rebuild(world));
}

function rebuild(world: World): MessagingIndex {
  const index = new MessagingIndex();
  for (const n of world.store.list<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS))
    index.numbers.set(n.phone_number, n.sid);
  for (const entry of world.store.list<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS))
    push(index.pools, entry.service_sid, entry.sid);
  const messages = world.store.list<MessageDoc>(MESSAGES).sort((a, b) => a.date_created - b.date_created);
  for (const m of messages) {
    push(index.accountMessages, m.account_sid, m.sid);
    if (m.delivered_at != null) push(index.inbox, bareNumber(m.to), m.sid);
  }
  return index;
}

export function push(map: Map<string, string[]>, key: string, value: string) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function remove(map: Map<string, string[]>, key: string, value: string) {
  const list = map.get(key);
  if (!list) return;
  const at = list.indexOf(value);
  if (at >= 0) list.splice(at, 1);
}

/** The number anyone owns at this address, if any. */
export function numberByE164(world: World, e164: string): PhoneNumberDoc | undefined {
  const sid = indexOf(world).numbers.get(e164);
  const doc = sid ? world.store.get<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, sid) : undefined;
  return doc?.phone_number === e164 ? doc : undefined;
}

/** The Messaging Service whose pool holds this number, if any. */
export function serviceOfNumber(world: World, phoneNumberSid: string): string | null {
  return world.store.get<ServicePhoneNumberDoc>(SERVICE_PHONE_NUMBERS, phoneNumberSid)?.service_sid ?? null;
}

export function poolOf(world: World, serviceSid: string): PhoneNumberDoc[] {
  const sids = indexOf(world).pools.get(serviceSid) ?? [];
  return sids
    .map((sid) => world.store.get<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, sid))
    .filter((n): n is PhoneNumberDoc => n !== undefined);
}
