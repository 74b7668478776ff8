/**
 * What may be sent to a WhatsApp contact, decided before anything reaches Twilio. Pure.
 *
 * - Free-form messages only inside the customer-service window: 24 hours from the contact's
 *   last message (Twilio answers 63016 otherwise: https://www.twilio.com/docs/api/errors/63016).
 * - Outside it, only an approved template (content_sid + content_variables).
 * - Session messages at most 1,024 characters: our own, stricter bound than Twilio's 1,600, so a
 *   reply never fails late for its length.
 * - Business-initiated messages need the contact's opt-in (WhatsApp Business policy); a
 *   message from the contact is an implicit opt-in, STOP revokes it, START restores it.
 */
export const WHATSAPP_WINDOW_MS = 24 * 3_600_000;
export const WHATSAPP_SESSION_MAX_CHARS = 1024;

export type OptInState = "active" | "revoked" | "none";

export interface SessionFacts {
  last_inbound_at: Date;
  closed_at: Date | null;
}

export interface SendFacts {
  body: string;
  hasMedia: boolean;
  contentSid: string | null;
  /** The tenant's template for contentSid, when there is one. */
  template: { approval_status: string } | null;
  session: SessionFacts | null;
  optIn: OptInState;
  now: Date;
}

export interface Refusal {
  ok: false;
  code: string;
  status: number;
  message: string;
  hint: string;
  path: string;
}

export type SendDecision =
  | { ok: true; kind: "session" | "template"; sessionExpiresAt: Date | null }
  | Refusal;

/** When the window closes, or null when it is closed (expired, or closed by Twilio's 63016). */
export function sessionExpiresAt(session: SessionFacts | null, now: Date): Date | null {
  if (!session) return null;
  if (session.closed_at && session.closed_at >= session.last_inbound_at) return null;
  const expires = new Date(session.last_inbound_at.getTime() + WHATSAPP_WINDOW_MS);
  return expires > now ? expires : null;
}

const refuse = (code: string, status: number, path: string, message: string, hint: string): Refusal => ({
  ok: false,
  code,
  status,
  path,
  message,
  hint,
});

export function decideWhatsAppSend(f: SendFacts): SendDecision {
  const expires = sessionExpiresAt(f.session, f.now);
  if (f.contentSid) {
    if (f.body !== "") {
      return refuse(
        "whatsapp_body_with_template",
        422,
        "/body",
        "Send either a body or a content_sid, not both.",
        "A template's text comes from the template and content_variables.",
      );
    }
    if (!f.template) {
      return refuse(
        "whatsapp_template_unknown",
        422,
        "/content_sid",
        `${f.contentSid} is not one of this tenant's WhatsApp templates.`,
        "Create it with POST /v1/whatsapp/templates.",
      );
    }
    if (f.template.approval_status !== "approved") {
      return refuse(
        "whatsapp_template_not_approved",
        422,
        "/content_sid",
        `The template is ${f.template.approval_status}, not approved by WhatsApp.`,
        "Only approved templates can be sent; follow GET /v1/whatsapp/templates/{id}.",
      );
    }
    const optIn = optInRefusal(f.optIn);
    return optIn ?? { ok: true, kind: "template", sessionExpiresAt: expires };
  }
  const characters = [...f.body].length;
  if (characters > WHATSAPP_SESSION_MAX_CHARS) {
    return refuse(
      "whatsapp_body_too_long",
      422,
      "/body",
      `The body has ${characters} characters; WhatsApp session messages may have ${WHATSAPP_SESSION_MAX_CHARS}.`,
      "Shorten the message or split it.",
    );
  }
  if (characters === 0 && !f.hasMedia) {
    return refuse(
      "body_required",
      422,
      "/body",
      "A body, media or a content_sid is required.",
      "Send text, media_urls, or an approved template.",
    );
  }
  if (!expires) {
    return refuse(
      "whatsapp_session_closed",
      409,
      "/body",
      f.session
        ? "The contact's last message is more than 24 hours old: the WhatsApp session is closed."
        : "The contact has not written to this sender: there is no WhatsApp session.",
      "Outside the 24-hour window only approved templates can be sent: use content_sid and content_variables.",
    );
  }
  return optInRefusal(f.optIn) ?? { ok: true, kind: "session", sessionExpiresAt: expires };
}

function optInRefusal(state: OptInState): Refusal | null {
  if (state === "active") return null;
  if (state === "revoked") {
    return refuse(
      "whatsapp_opted_out",
      409,
      "/to",
      "The contact opted out of WhatsApp messages (STOP).",
      "They opt in again by sending START, or record a new opt-in with POST /v1/whatsapp/opt-ins.",
    );
  }
  return refuse(
    "whatsapp_opt_in_required",
    409,
    "/to",
    "The contact has not opted in to WhatsApp messages.",
    "Record their opt-in with POST /v1/whatsapp/opt-ins (or wait for them to write first).",
  );
}

/**
 * How long to wait before asking Twilio again about a template under review: often at first
 * (reviews of utility templates often finish in minutes), then less, up to every 15 minutes.
 */
export function approvalPollDelayMs(submittedAt: Date, now: Date): number {
  const age = now.getTime() - submittedAt.getTime();
  return Math.min(15 * 60_000, Math.max(30_000, Math.floor(age / 10)));
}

/** `{{1}}`, `{{2}}`… in a template body. */
export function placeholders(body: string): string[] {
  return [...new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1]))];
}
