/**
 * Twilio's messaging error codes in plain language, and how a failed `messages.create` is
 * classified for the dispatcher.
 *
 * Sources: Twilio's error pages (https://www.twilio.com/docs/api/errors/<code>; see
 * docs/twilio-facts.md, "Error codes"). The explanations are ours.
 */
export interface TwilioCodeInfo {
  /** What happened, for the ISV's operators and their end customers. */
  explanation: string;
  /** Whether the recipient is now on the suppression list because of it. */
  optOut?: boolean;
}

/** Twilio's error codes are five-digit numbers (https://www.twilio.com/docs/api/errors). */
export const TWILIO_ERROR_CODE_RANGE = { min: 10000, max: 99999 } as const;

export function isTwilioErrorCode(n: number): boolean {
  return Number.isInteger(n) && n >= TWILIO_ERROR_CODE_RANGE.min && n <= TWILIO_ERROR_CODE_RANGE.max;
}

export const TWILIO_CODES: Readonly<Record<number, TwilioCodeInfo>> = {
  20429: { explanation: "Twilio was busy and asked us to slow down; the message is retried automatically." },
  21211: { explanation: "The recipient's number is not a valid phone number." },
  21212: { explanation: "The sending number is not valid." },
  21408: { explanation: "Sending to this country is not enabled on the account (geographic permissions)." },
  21602: { explanation: "The message had no body and no media." },
  21606: { explanation: "The sending number is not a message-capable Twilio number of this account." },
  21610: {
    explanation:
      "The recipient replied STOP to this sender and has not opted back in (START); Twilio refuses to send.",
    optOut: true,
  },
  21611: { explanation: "The sender's queue at Twilio is full (more than 10 hours of messages waiting)." },
  21612: { explanation: "Twilio cannot route a message from this sender to this recipient." },
  21614: {
    explanation: "The recipient's number cannot receive text messages (a landline or not a mobile number).",
  },
  21617: { explanation: "The body is longer than Twilio's 1,600-character limit." },
  21620: { explanation: "A media URL is not valid or there are more than 10." },
  21701: { explanation: "The messaging service does not exist in the tenant's account." },
  21704: { explanation: "The messaging service has no sending numbers." },
  30001: { explanation: "The message waited too long in Twilio's queue and was dropped (queue overflow)." },
  30002: { explanation: "The Twilio account is suspended." },
  30003: {
    explanation:
      "The recipient's phone is unreachable (switched off, out of coverage, or no longer in service).",
  },
  30004: {
    explanation: "The message was blocked, by the recipient (they blocked the sender) or by their carrier.",
  },
  30005: { explanation: "The recipient's number is unknown to the carrier; it may no longer exist." },
  30006: { explanation: "The recipient's number is a landline or its carrier cannot receive text messages." },
  30007: {
    explanation:
      "The carrier filtered the message as spam or a violation of its rules. Review the content and the registration.",
  },
  30008: { explanation: "The carrier reported an unknown error." },
  30022: { explanation: "The 10DLC campaign's rate limit was exceeded at the carrier." },
  30023: { explanation: "The brand's daily 10DLC message cap was reached." },
  30027: { explanation: "The brand's daily T-Mobile message limit was reached." },
  30032: {
    explanation: "The toll-free number is not verified; carriers block unverified toll-free traffic.",
  },
  30034: {
    explanation:
      "The sending number is not registered to an approved A2P 10DLC campaign; US carriers block it.",
  },
  30036: { explanation: "The message's validity period ran out before it could be sent." },
  63016: { explanation: "WhatsApp: outside the 24-hour window; only an approved template may be sent." },
};

export function explainTwilioCode(code: number | null | undefined, fallback?: string | null): string | null {
  if (code === null || code === undefined) return fallback ?? null;
  return TWILIO_CODES[code]?.explanation ?? fallback ?? `Twilio reported error ${code}.`;
}

/**
 * What a failed create means for the message:
 * - retry: Twilio definitely did not take it (429, or no connection was made) — try again later;
 * - ambiguous: it may have been created (5xx, timeout, connection reset after the request left)
 *   — reconcile with Twilio before any retry;
 * - permanent: Twilio refused this message (4xx) — fail it with the code, never retry.
 */
export type CreateFailureKind = "retry" | "ambiguous" | "permanent";

export interface CreateFailure {
  kind: CreateFailureKind;
  httpStatus: number | null;
  code: number | null;
  message: string;
  /** Twilio's Retry-After, when given. */
  retryAfterMs?: number;
}

const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function classifyCreateFailure(err: unknown): CreateFailure {
  const e = err as {
    status?: number;
    code?: number | string;
    message?: string;
    cause?: { code?: string };
    headers?: Record<string, string>;
  } | null;
  const message = e?.message ?? String(err);
  if (typeof e?.status === "number") {
    const code = typeof e.code === "number" ? e.code : null;
    if (e.status === 429) return { kind: "retry", httpStatus: 429, code: code ?? 20429, message };
    if (e.status >= 500) return { kind: "ambiguous", httpStatus: e.status, code, message };
    // Credentials that an operator can fix: Twilio did nothing, so retrying later is safe.
    if (e.status === 401 || e.status === 403) return { kind: "retry", httpStatus: e.status, code, message };
    return { kind: "permanent", httpStatus: e.status, code, message };
  }
  const sysCode = typeof e?.code === "string" ? e.code : e?.cause?.code;
  if (sysCode && NEVER_CONNECTED.has(sysCode))
    return { kind: "retry", httpStatus: null, code: null, message };
  return { kind: "ambiguous", httpStatus: null, code: null, message };
}
