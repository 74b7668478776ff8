import { TwilioError } from "../../../core/errors.js";
import { newSid } from "../../../core/sid.js";
import type { World } from "../../../world.js";
import { ACCOUNTS, type Account } from "../accounts/model.js";
import { meterMessage } from "../usage/records/model.js";
import { parseAddress } from "./channel.js";
import {
  MESSAGES,
  type MessageDoc,
  type PhoneNumberDoc,
  SERVICES,
  type ServiceDoc,
  WHATSAPP_SESSIONS,
  type WhatsAppSessionDoc,
  sessionSid,
} from "./collections.js";
import { createMessage } from "./create.js";
import { AUTO_REPLIES, type Keyword, classifyKeyword, keywordHandling } from "./keywords.js";
import { optIn, optOut, optOutScope } from "./opt-outs.js";
import { inboundPrice } from "./prices.js";
import { contentTypeOf } from "./render.js";
import { segmentsOf } from "./segments.js";
import { indexOf, numberByE164, push, serviceOfNumber } from "./state.js";
import { parseMessagingTwiml } from "./twiml.js";

export interface InboundResult {
  message: MessageDoc;
  keyword: Keyword | null;
  webhook: { url: string; method: string; status: number | null; error?: string } | null;
  /** Messages sent back: the keyword auto-reply and the TwiML <Message> replies. */
  replies: MessageDoc[];
  reply_errors: { code: number; message: string }[];
}

/**
 * A handset texts one of our numbers: the message is stored as received, STOP/START/HELP
 * update the opt-outs and get Twilio's auto-reply, a WhatsApp message opens the 24 h window,
 * and the number's (or its service's) webhook is called, signed; TwiML <Message> replies go out.
 */
export async function receiveInbound(
  world: World,
  handset: string,
  rawTo: string,
  body: string,
  mediaUrls: string[],
): Promise<InboundResult> {
  const whatsapp = /^whatsapp:/i.test(handset) || /^whatsapp:/i.test(rawTo ?? "");
  const prefix = whatsapp ? "whatsapp:" : "";
  const from = parseAddress(prefix + handset.replace(/^whatsapp:/i, ""));
  const to = parseAddress(prefix + String(rawTo ?? "").replace(/^whatsapp:/i, ""));
  if (!from) throw new TwilioError(21212, 400, `Invalid handset number ${handset}`);
  if (!to) throw new TwilioError(21211, 400, `Invalid 'to' number ${rawTo}`);
  const number = numberByE164(world, to.e164);
  if (!number) throw new TwilioError(20404, 404, `No Twilio number ${to.e164} is in use by any account`);
  const account = world.store.get<Account>(ACCOUNTS, number.account_sid)!;
  const serviceSid = serviceOfNumber(world, number.sid);
  const now = world.clock.now();
  const media = mediaUrls.map((url) => ({ sid: newSid("ME"), url, content_type: contentTypeOf(url) }));
  const segments = to.channel === "sms" ? segmentsOf(body, false).segments : 1;

  const message = world.store.put<MessageDoc>(MESSAGES, {
    sid: newSid(mediaUrls.length > 0 ? "MM" : "SM"),
    account_sid: account.sid,
    direction: "inbound",
    channel: to.channel,
    from: from.address,
    to: to.address,
    body,
    status: "received",
    messaging_service_sid: serviceSid,
    sender_sid: null,
    num_segments: segments,
    segments,
    encoding: "GSM-7",
    media,
    // Received messages are billed too, SMS per segment (prices.ts).
    price: inboundPrice({ channel: to.channel, media, segments }, number.type, number.iso_country),
    price_unit: "USD",
    error_code: null,
    error_message: null,
    status_callback: null,
    validity_period: 36000,
    smart_encoded: false,
    content_sid: null,
    send_at: null,
    queued_at: null,
    exempt: false,
    delivered_at: null,
    date_created: now,
    date_updated: now,
    date_sent: now,
  });
  push(indexOf(world).accountMessages, account.sid, message.sid);
  meterMessage(world, message, number.type);

  const result: InboundResult = { message, keyword: null, webhook: null, replies: [], reply_errors: [] };
  const reply = (text: string, media: string[] = [], exempt = false, toAddress = from.address) => {
    try {
      result.replies.push(
        createMessage(world, account, {
          to: toAddress,
          from: to.address,
          messagingServiceSid: serviceSid ?? undefined,
          body: text,
          mediaUrls: media,
          direction: "outbound-reply",
          exempt,
        }),
      );
    } catch (err) {
      if (!(err instanceof TwilioError)) throw err;
      result.reply_errors.push({ code: err.code, message: err.message });
    }
  };

  if (to.channel === "whatsapp") {
    world.store.put<WhatsAppSessionDoc>(WHATSAPP_SESSIONS, {
      sid: sessionSid(account.sid, to.address, from.address),
      account_sid: account.sid,
      business_address: to.address,
      user_address: from.address,
      last_inbound_at: now,
    });
  } else {
    // Unless Support turned it off for the account, Twilio acts on its keywords first.
    result.keyword = keywordHandling(world, account.sid) ? classifyKeyword(body) : null;
    const scope = optOutScope(world, number);
    if (result.keyword === "STOP") optOut(world, account.sid, scope, from.e164, body.trim().toUpperCase());
    if (result.keyword === "START") optIn(world, account.sid, scope, from.e164);
    if (result.keyword) reply(AUTO_REPLIES[result.keyword], [], true);
  }

  const target = webhookOf(world, number, serviceSid);
  if (target) {
    const params = inboundParams(message, result.keyword);
    const answer = await world.callbacks.request(target.url, params, account.auth_token, target.method);
    const record = world.callbacks.log.findLast((c) => c.url === target.url && c.params === params);
    result.webhook = { ...target, status: answer?.status ?? null, error: record?.error };
    if (answer && answer.status >= 200 && answer.status < 300) {
      for (const m of parseMessagingTwiml(answer.body)) reply(m.body, m.media, false, m.to ?? from.address);
    }
  }
  return result;
}

/**
 * Which URL hears an inbound message: the service's inbound_request_url, unless the service
 * defers to the number (use_inbound_webhook_on_number) or has none; else the number's sms_url.
 */
function webhookOf(
  world: World,
  number: PhoneNumberDoc,
  serviceSid: string | null,
): { url: string; method: string } | null {
  const service = serviceSid ? world.store.get<ServiceDoc>(SERVICES, serviceSid) : undefined;
  if (service && !service.use_inbound_webhook_on_number && service.inbound_request_url)
    return { url: service.inbound_request_url, method: service.inbound_method };
  return number.sms_url ? { url: number.sms_url, method: number.sms_method } : null;
}

/** The inbound webhook's form fields (https://www.twilio.com/docs/messaging/guides/webhook-request). */
export function inboundParams(m: MessageDoc, keyword: Keyword | null): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: m.account_sid,
    ApiVersion: "2010-04-01",
    Body: m.body,
    From: m.from ?? "",
    FromCity: "",
    FromCountry: m.from?.includes("+1") ? "US" : "",
    FromState: "",
    FromZip: "",
    MessageSid: m.sid,
    NumMedia: String(m.media.length),
    NumSegments: String(m.num_segments),
    SmsMessageSid: m.sid,
    SmsSid: m.sid,
    SmsStatus: "received",
    To: m.to,
    ToCity: "",
    ToCountry: m.to.includes("+1") ? "US" : "",
    ToState: "",
    ToZip: "",
  };
  if (m.messaging_service_sid) params.MessagingServiceSid = m.messaging_service_sid;
  m.media.forEach((item, i) => {
    params[`MediaUrl${i}`] = item.url;
    params[`MediaContentType${i}`] = item.content_type;
  });
  if (keyword) params.OptOutType = keyword;
  if (m.channel === "whatsapp") {
    const waId = (m.from ?? "").replace(/^whatsapp:\+/, "");
    params.WaId = waId;
    params.ProfileName = `Handset ${waId.slice(-4)}`;
    params.MessageType = m.media.length > 0 ? "image" : "text";
  }
  return params;
}
