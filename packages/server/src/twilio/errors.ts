import { SubtextError } from "../kernel/errors.js";

/**
 * Twilio's failures as SubtextErrors with `twilio_code`, classified once for callers and
 * job retries: 429 / 5xx / network are retryable; 4xx are not (except 401, which usually
 * means credentials that an operator can fix).
 */
export function twilioError(err: unknown, what: string): SubtextError {
  if (err instanceof SubtextError) return err;
  const e = err as { status?: number; code?: number | string; message?: string; moreInfo?: string };
  if (typeof e?.status === "number") {
    const code = typeof e.code === "number" ? e.code : undefined;
    const message = `Twilio refused to ${what}: ${e.message ?? "error"}`;
    const hint = e.moreInfo ?? (code ? `https://www.twilio.com/docs/errors/${code}` : undefined);
    if (e.status === 429) {
      return new SubtextError("twilio_rate_limited", 503, message, {
        twilio_code: code,
        hint: "Twilio is throttling requests; this is retried automatically.",
        headers: { "retry-after": "1" },
        retryable: true,
      });
    }
    if (e.status === 401 || e.status === 403) {
      return new SubtextError("twilio_auth_failed", 502, message, {
        twilio_code: code,
        hint: "Check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN (or the tenant's Twilio key still exists).",
        retryable: true,
      });
    }
    if (e.status >= 500) {
      return new SubtextError("twilio_unavailable", 503, message, {
        twilio_code: code,
        hint,
        retryable: true,
      });
    }
    return new SubtextError("twilio_error", 502, message, { twilio_code: code, hint, retryable: false });
  }
  const reason = e?.message ?? String(err);
  return new SubtextError("twilio_unreachable", 503, `Could not reach Twilio to ${what}: ${reason}`, {
    hint: "Check network access to Twilio (or, in sandbox mode, that the emulator is running).",
    retryable: true,
    cause: err,
  });
}

/** Runs one Twilio call, mapping its failure. */
export async function twilioCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw twilioError(err, what);
  }
}
