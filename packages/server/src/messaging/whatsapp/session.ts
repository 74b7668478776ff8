/**
 * What the messaging module asks the WhatsApp channel, by code (it owns /v1/messages and the
 * Twilio webhooks; we own the WhatsApp rules and records):
 *
 * - `whatsappSendCheck` in send validation, before anything is stored or sent;
 * - `recordWhatsAppInbound` in the inbound handler, for every `whatsapp:` message received;
 * - `recordWhatsAppDeliveryError` in status intake, so a 63016 closes our window too.
 */
import type { Queryable } from "../../db/db.js";
import { matchKeyword } from "@subtext/telecom/keywords";
import { SubtextError } from "../../kernel/errors.js";
import { isWhatsAppAddress, whatsappAddress, whatsappNumber } from "@subtext/telecom/whatsapp/address";
import { decideWhatsAppSend, sessionExpiresAt } from "@subtext/telecom/whatsapp/rules";
import {
  type SenderRow,
  closeSession,
  findSession,
  implicitOptIn,
  latestSession,
  listSenders,
  openSession,
  optInState,
  recordOptIn,
  revokeOptIn,
  senderByNumber,
} from "./store.js";
import { templateByContentSid } from "./template-store.js";

export interface WhatsAppSendRequest {
  /** `whatsapp:+1…` or `+1…` */
  to: string;
  body?: string | null;
  contentSid?: string | null;
  /** The sender (`whatsapp:+1…` or `+1…`); default: the one the contact last wrote to, else the first. */
  from?: string | null;
  hasMedia?: boolean;
  /** The platform clock's now (windows are 24 h of that clock). */
  now: Date;
}

export type WhatsAppSendCheck =
  | {
      ok: true;
      kind: "session" | "template";
      /** Addresses for Twilio, prefixed: `whatsapp:+1…`. */
      from: string;
      to: string;
      /** The same, bare E.164. */
      senderNumber: string;
      contact: string;
      sessionExpiresAt: Date | null;
    }
  | { ok: false; error: SubtextError };

const fail = (error: SubtextError) => ({ ok: false as const, error });

export async function whatsappSendCheck(
  q: Queryable,
  tenantId: string,
  req: WhatsAppSendRequest,
): Promise<WhatsAppSendCheck> {
  const contact = whatsappNumber(req.to);
  if (!contact) return fail(invalid("/to", `${req.to} is not a valid WhatsApp address (whatsapp:+E164).`));
  const sender = await chooseSender(q, tenantId, contact, req.from ?? null);
  if (sender instanceof SubtextError) return fail(sender);
  const [session, optIn, template] = await Promise.all([
    findSession(q, tenantId, sender.phone_number, contact),
    optInState(q, tenantId, contact),
    req.contentSid ? templateByContentSid(q, tenantId, req.contentSid) : Promise.resolve(null),
  ]);
  const decision = decideWhatsAppSend({
    body: req.body ?? "",
    hasMedia: req.hasMedia ?? false,
    contentSid: req.contentSid ?? null,
    template,
    session,
    optIn,
    now: req.now,
  });
  if (!decision.ok) {
    return fail(
      new SubtextError(decision.code, decision.status, decision.message, {
        hint: decision.hint,
        details: [{ path: decision.path, code: decision.code }],
      }),
    );
  }
  return {
    ok: true,
    kind: decision.kind,
    from: whatsappAddress(sender.phone_number),
    to: whatsappAddress(contact),
    senderNumber: sender.phone_number,
    contact,
    sessionExpiresAt: decision.sessionExpiresAt,
  };
}

/**
 * The one call in messaging's send path: for a WhatsApp send (`channel: "whatsapp"` or a
 * `whatsapp:` address) it throws the refusal, or returns the addresses to send with; for any
 * other message it returns null and does nothing.
 */
export async function whatsappSendGate(
  q: Queryable,
  tenantId: string,
  input: {
    to: string;
    body?: string;
    from?: string;
    channel?: string;
    content_sid?: string;
    media_urls?: string[];
  },
  now: Date,
): Promise<Extract<WhatsAppSendCheck, { ok: true }> | null> {
  if (input.channel !== "whatsapp" && !isWhatsAppAddress(input.to)) return null;
  const check = await whatsappSendCheck(q, tenantId, {
    to: input.to,
    body: input.body,
    contentSid: input.content_sid,
    from: input.from,
    hasMedia: (input.media_urls?.length ?? 0) > 0,
    now,
  });
  if (!check.ok) throw check.error;
  return check;
}

async function chooseSender(
  q: Queryable,
  tenantId: string,
  contact: string,
  from: string | null,
): Promise<SenderRow | SubtextError> {
  if (from) {
    const number = whatsappNumber(from);
    const sender = number ? await senderByNumber(q, tenantId, number) : null;
    return (
      sender ??
      new SubtextError(
        "unknown_whatsapp_sender",
        422,
        `${from} is not one of this tenant's WhatsApp senders.`,
        {
          hint: "Register it with POST /v1/whatsapp/senders, or omit from.",
          details: [{ path: "/from", code: "unknown_whatsapp_sender" }],
        },
      )
    );
  }
  const recent = await latestSession(q, tenantId, contact);
  if (recent) return (await senderByNumber(q, tenantId, recent.sender))!;
  const [first] = await listSenders(q, tenantId);
  return (
    first ??
    new SubtextError("whatsapp_sender_required", 409, "This tenant has no WhatsApp sender.", {
      hint: "Register one of its numbers with POST /v1/whatsapp/senders.",
    })
  );
}

function invalid(path: string, message: string): SubtextError {
  return new SubtextError("invalid_whatsapp_address", 422, message, {
    details: [{ path, code: "invalid_whatsapp_address" }],
  });
}

export interface WhatsAppInbound {
  tenantId: string;
  /** The contact, `whatsapp:+1…` */
  from: string;
  /** Our sender, `whatsapp:+1…` */
  to: string;
  body?: string | null;
  /** Twilio's message SID, kept as the evidence of an implicit opt-in. */
  messageSid?: string | null;
  at: Date;
}

export interface WhatsAppInboundResult {
  contact: string;
  sender: string;
  /** The window this message opened: free-form replies are allowed until then. */
  sessionExpiresAt: Date | null;
  optIn: "opted_in" | "opted_out" | "unchanged";
}

/**
 * A message from a contact: it opens (or renews) the 24-hour window with that sender, and is
 * an implicit opt-in — unless it is STOP (revokes the opt-in) or the contact opted out before
 * (then only START, or an opt-in through the API, restores it). Call it in the transaction
 * that stores the inbound message. Any other message (SMS, MMS) is ignored, so the caller
 * need not look at the address first.
 */
export async function recordWhatsAppInbound(
  q: Queryable,
  m: WhatsAppInbound,
): Promise<WhatsAppInboundResult | null> {
  if (!isWhatsAppAddress(m.from)) return null; // an SMS: nothing to do
  const contact = whatsappNumber(m.from);
  const sender = whatsappNumber(m.to);
  if (!contact || !sender) return null;
  const session = await openSession(q, m.tenantId, sender, contact, m.at);
  const keyword = matchKeyword(m.body ?? "");
  let optIn: WhatsAppInboundResult["optIn"] = "unchanged";
  if (keyword?.kind === "opt_out") {
    await revokeOptIn(q, m.tenantId, contact, m.at);
    optIn = "opted_out";
  } else if (keyword?.kind === "opt_in") {
    await recordOptIn(q, {
      tenantId: m.tenantId,
      contact,
      source: "inbound",
      evidence: m.messageSid ?? null,
      at: m.at,
    });
    optIn = "opted_in";
  } else {
    await implicitOptIn(q, m.tenantId, contact, m.messageSid ?? null, m.at);
  }
  return { contact, sender, sessionExpiresAt: sessionExpiresAt(session, m.at), optIn };
}

/**
 * Twilio's verdict on a WhatsApp message we let through: 63016 means WhatsApp sees no open
 * window (clocks differ, or the contact's message never reached us), so ours closes too and
 * the next free-form send is refused before it is sent.
 */
export async function recordWhatsAppDeliveryError(
  q: Queryable,
  e: { tenantId: string; from: string; to: string; errorCode: number | null | undefined; at: Date },
): Promise<boolean> {
  if (e.errorCode !== 63016 || !isWhatsAppAddress(e.to)) return false;
  const sender = whatsappNumber(e.from);
  const contact = whatsappNumber(e.to);
  if (!sender || !contact) return false;
  await closeSession(q, e.tenantId, sender, contact, e.at);
  return true;
}
