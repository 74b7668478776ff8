/**
 * Inbound messages: stored (with their media URLs), run through keyword handling (opt-out /
 * opt-in recorded with an audit entry), routed to the tenant (`message.received`) and metered.
 *
 * Replies. Twilio itself answers its default keywords (STOP, START, HELP and their synonyms) on
 * US long codes and toll-free numbers, and so does the emulator, but only written its exact way
 * (the whole body, trimmed, any case); answering those too would send the handset two replies.
 * We answer, with TwiML `<Message>`, what Twilio leaves unanswered (`needsOwnReply`): the
 * tenant's custom keywords, and keywords Twilio's rule does not take ("STOP!", "stop please"),
 * so the person always gets one reply; and every keyword when the tenant has had Twilio's
 * keyword handling turned off (`default_keywords_answered_by: "subtext"`). The reply is the one
 * in force (keyword-config.ts: the registration's branded texts, then the tenant's own), sent
 * from the number written to and metered as an outbound message (Twilio bills it as one).
 *
 * Never twice, never in a loop: a retried webhook (same MessageSid) changes nothing and gets an
 * empty answer; an opt-out is confirmed only when it changed the list (a second "STOP!" gets
 * nothing, as CTIA wants one confirmation); and a reply is never itself a keyword (the settings
 * refuse one), so two auto-responders cannot answer each other.
 *
 * Bounds. Twilio never sends a body over 1,600 characters (its Message resource's limit), nor
 * SIDs or addresses over a few dozen. A signed request that does is anomalous: we still answer
 * 200 (an error would only make Twilio retry it), but store a bounded copy — the body cut to
 * 1,600 characters ending in " [truncated]", media URLs over 2,048 characters left out — and a
 * message whose SID or address is too long to be real is not stored at all. Each is logged as a
 * warning (lengths only, never the text).
 */
import { isWhatsAppAddress } from "@subtext/telecom/whatsapp/address";
import { recordWhatsAppInbound } from "../whatsapp/session.js";
import { newId } from "../../db/ids.js";
import { emitEvent } from "../../events/emit.js";
import type { Services } from "../../kernel/services.js";
import { recordUsage } from "../../usage/record.js";
import { type KeywordMatch, matchKeyword, needsOwnReply } from "@subtext/telecom/keywords";
import { keywordConfigFor } from "../optouts/keyword-config.js";
import { heldByTwilio, optIn, optOut } from "../optouts/store.js";
import { cachedSettings } from "../settings.js";
import { meterInboundReplies } from "./reply-usage.js";
import { MAX_BODY_CHARACTERS, countSegments } from "@subtext/telecom/segments";
import type { MessageRow } from "../store/messages.js";
import { messageView } from "../view.js";
import { type TwilioParams, twilioParam } from "../../http/twilio-webhooks.js";

export interface InboundResult {
  message: MessageRow | null;
  keyword: KeywordMatch | null;
  /** Who answers the keyword: Twilio itself, us (the TwiML), or nobody (already confirmed). */
  answeredBy: "twilio" | "subtext" | null;
  twiml: string;
}

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Longer than any SID or address (E.164, whatsapp:+E.164, short code, sender id) Twilio sends. */
const MAX_SID_OR_ADDRESS = 64;
const MAX_MEDIA_URL = 2048;
export const TRUNCATION_MARKER = " [truncated]";

interface Inbound {
  sid: string;
  from: string;
  to: string;
  serviceSid: string | null;
  media: string[];
  body: string;
  /** Set by Twilio when it handled (and answered) a STOP, START or HELP keyword. */
  optOutType: string | null;
}

export async function intakeInbound(
  deps: Pick<Services, "db" | "clock" | "log" | "caches">,
  tenantId: string,
  params: TwilioParams,
): Promise<InboundResult> {
  const inbound = readInbound(deps, tenantId, params);
  return inbound
    ? store(deps, tenantId, inbound)
    : { message: null, keyword: null, answeredBy: null, twiml: EMPTY };
}

/** The form's fields, bounded (see the top of this file); null: nothing to store. */
function readInbound(deps: Pick<Services, "log">, tenantId: string, params: TwilioParams): Inbound | null {
  const sid = twilioParam(params, "MessageSid") ?? twilioParam(params, "SmsSid");
  const from = twilioParam(params, "From") ?? "";
  const to = twilioParam(params, "To") ?? "";
  const serviceSid = twilioParam(params, "MessagingServiceSid") ?? null;
  if (!sid || !from) return null;
  const anomaly = { event: "messaging.inbound_anomaly", tenant_id: tenantId };
  const tooLong = Object.entries({ MessageSid: sid, From: from, To: to, MessagingServiceSid: serviceSid })
    .filter(([, v]) => (v?.length ?? 0) > MAX_SID_OR_ADDRESS)
    .map(([field, v]) => ({ field, length: v!.length }));
  if (tooLong.length > 0) {
    deps.log.warn({ ...anomaly, too_long: tooLong }, "inbound message with an impossible field, not stored");
    return null;
  }
  const numMedia = Math.min(10, Number(twilioParam(params, "NumMedia") ?? 0) || 0);
  const urls = Array.from({ length: numMedia }, (_, i) => twilioParam(params, `MediaUrl${i}`)).filter(
    (u): u is string => !!u,
  );
  const media = urls.filter((u) => u.length <= MAX_MEDIA_URL);
  if (media.length < urls.length) {
    deps.log.warn({ ...anomaly, message_sid: sid }, "inbound media URLs over 2048 characters left out");
  }
  const body = boundedBody(twilioParam(params, "Body") ?? "");
  if (body.cutFrom !== undefined) {
    deps.log.warn(
      { ...anomaly, message_sid: sid, characters: body.cutFrom },
      `inbound body over ${MAX_BODY_CHARACTERS} characters truncated`,
    );
  }
  const optOutType = twilioParam(params, "OptOutType")?.slice(0, MAX_SID_OR_ADDRESS) || null;
  return { sid, from, to, serviceSid, media, body: body.text, optOutType };
}

/**
 * At most MAX_BODY_CHARACTERS code points (as the send path counts them), the marker
 * included; cut between code points, so a surrogate pair is never split.
 */
export function boundedBody(body: string): { text: string; cutFrom?: number } {
  if (body.length <= MAX_BODY_CHARACTERS) return { text: body };
  const points = Array.from(body);
  if (points.length <= MAX_BODY_CHARACTERS) return { text: body };
  const kept = points.slice(0, MAX_BODY_CHARACTERS - TRUNCATION_MARKER.length).join("");
  return { text: `${kept}${TRUNCATION_MARKER}`, cutFrom: points.length };
}

async function store(
  deps: Pick<Services, "db" | "clock" | "caches">,
  tenantId: string,
  { sid, from, to, serviceSid, media, body, optOutType }: Inbound,
): Promise<InboundResult> {
  const config = await keywordConfigFor(deps.db, tenantId, { serviceSid, to });
  const keyword = matchKeyword(body, config);
  const settings = await cachedSettings(deps, tenantId);
  const ours =
    keyword !== null && (settings.default_keywords_answered_by === "subtext" || needsOwnReply(body, keyword));
  const now = deps.clock.now();
  const whatsapp = isWhatsAppAddress(from);
  const channel = whatsapp ? "whatsapp" : media.length > 0 ? "mms" : "sms";
  // WhatsApp and MMS are billed per message; an SMS per segment.
  const segments = channel === "sms" ? countSegments(body).segments : 1;

  const stored = await deps.db.tx(async (tx) => {
    // The SID is claimed first (message_sids is what keeps one message per SID): a retried
    // delivery finds it taken and inserts nothing.
    const row = await tx.maybeOne<MessageRow>(
      `WITH sid AS (
         INSERT INTO message_sids (twilio_sid, message_id) VALUES ($11, $1)
         ON CONFLICT (twilio_sid) DO NOTHING RETURNING message_id)
       INSERT INTO messages (id, tenant_id, direction, channel, status, to_number, from_number, messaging_service_sid,
         body, media_urls, segments, encoding, twilio_sid, twilio_status, not_before, created_at, updated_at, completed_at,
         usage_recorded)
       SELECT $1, $2::text, 'inbound', $3::text, 'received', $4::text, $5::text, $6::text, $7::text, $8::jsonb, $9::int,
         $10::text, $11, 'received', $12::timestamptz, $12, $12, $12, true
       FROM sid RETURNING *`,
      [
        newId("msg", now),
        tenantId,
        channel,
        to,
        from,
        serviceSid,
        body,
        JSON.stringify(media),
        segments,
        media.length > 0 ? "GSM-7" : countSegments(body).encoding,
        sid,
        now,
      ],
    );
    if (!row) return null; // a retried delivery of a message we already have
    await recordWhatsAppInbound(tx, { tenantId, from, to, body, messageSid: sid, at: now });
    // An opt-out is confirmed once: when it changed the list.
    let confirm = true;
    // Twilio acts on the keyword itself (its list, its reply) unless the tenant answers them all.
    const twilioActs = !ours && settings.default_keywords_answered_by === "twilio";
    // WhatsApp's STOP and START change the channel's opt-in (recordWhatsAppInbound), not the SMS list.
    if (keyword?.kind === "opt_out" && !whatsapp) {
      const { changed } = await optOut(tx, {
        tenantId,
        phone: from,
        scope: serviceSid ?? to,
        source: "keyword",
        keyword: keyword.keyword,
        actor: "handset",
        heldByTwilio: twilioActs,
        at: now,
      });
      confirm = changed;
    } else if (keyword?.kind === "opt_in" && !whatsapp) {
      // The recipient's own latest word wins: every suppression of this number for the tenant
      // goes, except, for an opt-in Twilio did not take ("Start!"), those Twilio holds too: only
      // an exact START lifts them there, and Twilio would refuse our confirmation anyway.
      const partial = ours && settings.default_keywords_answered_by === "twilio";
      await optIn(tx, {
        tenantId,
        phone: from,
        scope: null,
        source: "keyword",
        keyword: keyword.keyword,
        actor: "handset",
        keepHeldByTwilio: partial,
        at: now,
      });
      if (partial) confirm = !(await heldByTwilio(tx, tenantId, from));
    }
    const reply = keyword && ours && confirm ? keyword.reply : null;
    const answeredBy = !keyword ? null : !ours ? ("twilio" as const) : reply ? ("subtext" as const) : null;
    await emitEvent(tx, {
      tenantId,
      type: "message.received",
      data: {
        message: messageView(row),
        keyword: keyword ? { kind: keyword.kind, keyword: keyword.keyword, answered_by: answeredBy } : null,
      },
      orderingKey: `inbound:${from}`,
    });
    await recordUsage(tx, {
      tenantId,
      channel,
      direction: "inbound",
      messages: 1,
      segments,
      at: now,
    });
    // What Twilio sends back on its own (its keyword auto-reply, our TwiML reply) it bills too.
    await meterInboundReplies(tx, {
      tenantId,
      optOutType,
      twimlReply: reply,
      viaService: serviceSid !== null,
      whatsapp,
      at: now,
    });
    return { row, reply, answeredBy };
  });
  // A retried delivery gets no second reply.
  if (!stored) return { message: null, keyword, answeredBy: null, twiml: EMPTY };
  return {
    message: stored.row,
    keyword,
    answeredBy: stored.answeredBy,
    twiml: stored.reply ? twimlMessage(stored.reply) : EMPTY,
  };
}

function twimlMessage(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${escaped}</Message></Response>`;
}
