import { parsePhone } from "@subtext/telecom/phone";
import { SubtextError } from "../../kernel/errors.js";
import type { VerifyChannel } from "./store.js";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The destination in the one form we count and store it in: E.164 for phone channels (a
 * `whatsapp:` prefix is accepted and dropped: Verify wants the bare number), a lower-cased
 * address for email. Same person, same key, whatever spelling the caller used.
 */
export function normalizeDestination(channel: VerifyChannel | "any", raw: string): string {
  const to = raw.trim();
  if (channel === "email" || (channel === "any" && to.includes("@"))) {
    if (!EMAIL.test(to)) throw invalidTo(`${to} is not an email address.`);
    return to.toLowerCase();
  }
  const parsed = parsePhone(to.replace(/^whatsapp:/i, ""));
  if (!parsed.ok) throw invalidTo(parsed.message);
  return parsed.phone.e164;
}

function invalidTo(message: string): SubtextError {
  return new SubtextError("invalid_destination", 422, message, {
    hint: "Use an E.164 number (+14155550123) for sms, call and whatsapp, an email address for email.",
    details: [{ path: "/to", code: "invalid_destination", message }],
  });
}
