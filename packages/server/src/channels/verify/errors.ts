import { SubtextError } from "../../kernel/errors.js";
import { twilioError } from "../../twilio/errors.js";

/**
 * Verify's refusals as stable codes (docs/twilio-facts.md, "Verify"). Twilio's own HTTP
 * statuses are kept where they mean the same to our callers (429 for the two attempt limits); a
 * landline or a channel switched off are 422: the request cannot be served as asked, and a hint
 * says what will work.
 */
export const VERIFY_ERRORS: Record<number, { code: string; status: number; hint: string }> = {
  60200: {
    code: "verification_invalid_parameter",
    status: 400,
    hint: "Check `to` (E.164 for sms/call/whatsapp, an address for email), `channel` and `locale`.",
  },
  60202: {
    code: "verification_max_check_attempts",
    status: 429,
    hint: "Five wrong codes lock this verification until it expires; then start a new one.",
  },
  60203: {
    code: "verification_max_send_attempts",
    status: 429,
    hint: "Verify sends a code at most five times per verification; wait for it to expire.",
  },
  60205: {
    code: "verification_sms_to_landline",
    status: 422,
    hint: "The number is a landline: start the verification with channel `call`.",
  },
  60223: {
    code: "verification_channel_disabled",
    status: 422,
    hint: "This delivery channel is disabled on the tenant's Verify service; use another channel.",
  },
  20429: {
    code: "verification_rate_limited",
    status: 429,
    hint: "Twilio limits new verifications per number (five in ten minutes); retry later.",
  },
  20404: {
    code: "verification_not_found",
    status: 404,
    hint: "The verification was approved, expired (after ten minutes) or canceled; start a new one.",
  },
};

/** Seconds to wait when Twilio throttles without saying for how long (the SDK drops headers). */
export const DEFAULT_RETRY_AFTER = 60;

export function twilioCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Maps a Verify failure; `retryAfterSeconds` sets Retry-After on the 429s. */
export function verifyError(
  err: unknown,
  what: string,
  retryAfterSeconds = DEFAULT_RETRY_AFTER,
): SubtextError {
  const code = twilioCodeOf(err);
  const known = code === undefined ? undefined : VERIFY_ERRORS[code];
  if (!known || typeof (err as { status?: unknown }).status !== "number") return twilioError(err, what);
  const message = (err as Error).message || `Verify refused to ${what}.`;
  return new SubtextError(known.code, known.status, message, {
    hint: known.hint,
    twilio_code: code,
    ...(known.status === 429
      ? { headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) } }
      : {}),
    retryable: code === 20429,
  });
}
