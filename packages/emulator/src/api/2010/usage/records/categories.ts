import type { Channel } from "../../messages/channel.js";
import type { NumberType } from "../../messages/collections.js";

/**
 * The usage categories the emulator derives from what it did, in the order it lists them. Twilio's
 * categories nest by name (https://www.twilio.com/docs/usage/api/usage-record#usage-categories):
 * `sms` is every SMS, `sms-outbound` the outbound ones, `sms-outbound-longcode` those sent from a
 * long code. A message is metered in its leaf and counts in every category above it. SMS count
 * segments (what Twilio bills); MMS count messages.
 */
export interface UsageCategory {
  name: string;
  description: string;
  /** The rollup this category counts in, if any. */
  parent: string | null;
}

const family = (kind: "sms" | "mms", label: string): UsageCategory[] => [
  { name: kind, description: label, parent: null },
  { name: `${kind}-outbound`, description: `Outbound ${label}`, parent: kind },
  {
    name: `${kind}-outbound-longcode`,
    description: `Outbound Longcode ${label}`,
    parent: `${kind}-outbound`,
  },
  {
    name: `${kind}-outbound-tollfree`,
    description: `Outbound Toll-free ${label}`,
    parent: `${kind}-outbound`,
  },
  { name: `${kind}-inbound`, description: `Inbound ${label}`, parent: kind },
  { name: `${kind}-inbound-longcode`, description: `Inbound Longcode ${label}`, parent: `${kind}-inbound` },
  { name: `${kind}-inbound-tollfree`, description: `Inbound Toll-free ${label}`, parent: `${kind}-inbound` },
];

export const USAGE_CATEGORIES: readonly UsageCategory[] = [...family("sms", "SMS"), ...family("mms", "MMS")];

const BY_NAME = new Map(USAGE_CATEGORIES.map((c) => [c.name, c]));

export const usageCategory = (name: string): UsageCategory | undefined => BY_NAME.get(name);

/** The category and every rollup it counts in, the category first. */
export function ancestry(name: string): string[] {
  const out: string[] = [];
  for (let c = BY_NAME.get(name); c; c = c.parent ? BY_NAME.get(c.parent) : undefined) out.push(c.name);
  return out;
}

/**
 * The leaf category of a message, or null when none of ours meters it (WhatsApp). Mobile numbers
 * and the magic test sender are long codes; short codes are not emulated.
 */
export function leafCategory(
  m: { channel: Channel; media: unknown[]; direction: string },
  numberType: NumberType | null,
): string | null {
  if (m.channel !== "sms") return null;
  const kind = m.media.length > 0 ? "mms" : "sms";
  const direction = m.direction === "inbound" ? "inbound" : "outbound";
  return `${kind}-${direction}-${numberType === "toll_free" ? "tollfree" : "longcode"}`;
}
