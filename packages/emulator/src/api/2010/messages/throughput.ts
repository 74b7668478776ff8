import type { World } from "../../../world.js";
import type { Channel } from "./channel.js";
import { MESSAGING_SETTINGS, type NumberType } from "./collections.js";
import { indexOf } from "./state.js";

/**
 * Per-sender throughput as Twilio enforces it: each sender sends at most its MPS, counted in
 * segments; what exceeds waits in the sender's queue. Defaults: a local (10DLC) number 1 MPS,
 * toll-free 3 MPS, a WhatsApp sender 80 MPS. `PUT /_emulator/throughput` changes them.
 */
export interface ThroughputSettings {
  sid: "throughput";
  local_mps: number;
  toll_free_mps: number;
  mobile_mps: number;
  whatsapp_mps: number;
  /** Per sender number (e164), overriding its type's rate. */
  numbers: Record<string, number>;
}

export const DEFAULT_THROUGHPUT: Omit<ThroughputSettings, "sid" | "numbers"> = {
  local_mps: 1,
  toll_free_mps: 3,
  mobile_mps: 1,
  whatsapp_mps: 80,
};

/** Twilio refuses new messages for a sender whose queue holds more than 10 hours (21611). */
export const MAX_BACKLOG_MS = 10 * 3_600_000;

export function throughputSettings(world: World): ThroughputSettings {
  return (
    world.store.get<ThroughputSettings>(MESSAGING_SETTINGS, "throughput") ?? {
      sid: "throughput",
      ...DEFAULT_THROUGHPUT,
      numbers: {},
    }
  );
}

export function mpsOf(world: World, e164: string, type: NumberType | null, channel: Channel): number {
  const settings = throughputSettings(world);
  const own = settings.numbers[e164];
  if (own !== undefined) return own;
  if (channel === "whatsapp") return settings.whatsapp_mps;
  if (type === "toll_free") return settings.toll_free_mps;
  if (type === "mobile") return settings.mobile_mps;
  return settings.local_mps;
}

/** How long the sender's queue already is, in emulated ms. */
export function backlogMs(world: World, sender: string): number {
  return Math.max(0, (indexOf(world).nextFree.get(sender) ?? 0) - world.clock.now());
}

/** When a message of `cost` segments can start, no earlier than `earliest`; books the slot. */
export function reserveSlot(
  world: World,
  sender: string,
  cost: number,
  mps: number,
  earliest: number,
): number {
  const index = indexOf(world);
  const start = Math.max(earliest, index.nextFree.get(sender) ?? 0);
  index.nextFree.set(sender, start + (cost * 1000) / mps);
  return start;
}

/** The next free time without booking it (to decide on validity expiry first). */
export function nextSlot(world: World, sender: string, earliest: number): number {
  return Math.max(earliest, indexOf(world).nextFree.get(sender) ?? 0);
}
