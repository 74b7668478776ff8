import { parsePhone } from "../phone.js";

/**
 * WhatsApp addresses are `whatsapp:+E164` in To, From and callbacks; we store the bare
 * number and add the prefix only when talking to Twilio.
 */
export const WHATSAPP_PREFIX = "whatsapp:";

export function isWhatsAppAddress(raw: string | null | undefined): boolean {
  return typeof raw === "string" && /^whatsapp:/i.test(raw.trim());
}

/** The E.164 number of `+1…` or `whatsapp:+1…`, or null when it is not a valid number. */
export function whatsappNumber(raw: string): string | null {
  const parsed = parsePhone(raw.trim().replace(/^whatsapp:/i, ""));
  return parsed.ok ? parsed.phone.e164 : null;
}

export function whatsappAddress(e164: string): string {
  return `${WHATSAPP_PREFIX}${e164}`;
}
