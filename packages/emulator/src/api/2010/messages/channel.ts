/** A message address: an E.164 number, or a channel address such as `whatsapp:+14155550100`. */
export type Channel = "sms" | "whatsapp";

export interface ChannelAddress {
  channel: Channel;
  /** The number alone, without the channel prefix. */
  e164: string;
  /** As Twilio writes it in `to`/`from` and in callbacks (`whatsapp:` kept). */
  address: string;
}

const E164 = /^\+[1-9]\d{7,14}$/;

export function isE164(value: string): boolean {
  // NANP numbers are exactly +1 and ten digits; other countries vary in length.
  return E164.test(value) && (!value.startsWith("+1") || value.length === 12);
}

export function parseAddress(raw: string | undefined): ChannelAddress | null {
  if (raw === undefined) return null;
  const trimmed = raw.trim();
  const whatsapp = /^whatsapp:/i.test(trimmed);
  const e164 = whatsapp ? trimmed.slice("whatsapp:".length) : trimmed;
  if (!isE164(e164)) return null;
  return whatsapp
    ? { channel: "whatsapp", e164, address: `whatsapp:${e164}` }
    : { channel: "sms", e164, address: e164 };
}

/** The number without its channel prefix (`whatsapp:+1…` → `+1…`). */
export function bareNumber(address: string): string {
  return address.replace(/^[a-z]+:/i, "");
}

/** The NANP area code of a +1 number, else null. */
export function areaCodeOf(e164: string): string | null {
  return e164.startsWith("+1") && e164.length === 12 ? e164.slice(2, 5) : null;
}

/** The calling-code part used to prefer senders of the recipient's country (+1, +44…). */
export function countryPrefix(e164: string): string {
  if (e164.startsWith("+1")) return "+1";
  return e164.slice(0, 3);
}
