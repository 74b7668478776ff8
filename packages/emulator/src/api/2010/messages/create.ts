import { refuseDisabledCountry } from "../../../accounts/v1/messaging/geo-permissions.js";
import { countryOfNumber } from "../../../core/countries.js";
import { TwilioError } from "../../../core/errors.js";
import type { Params } from "../../../core/form.js";
import { newSid } from "../../../core/sid.js";
import type { World } from "../../../world.js";
import type { Account } from "../accounts/model.js";
import { alphaFrom, serviceHasAlpha } from "./alpha-senders.js";
import { type ChannelAddress, parseAddress } from "./channel.js";
import {
  CARRIERS,
  type CarrierDoc,
  type Direction,
  MESSAGES,
  type MessageDoc,
  type PhoneNumberDoc,
  SERVICES,
  type ServiceDoc,
} from "./collections.js";
import { renderContent } from "./content.js";
import { HOP_MS, enqueue } from "./lifecycle.js";
import { MAGIC_SENDER, magicFromError, magicToError } from "./magic.js";
import { isOptedOut, optOutScope } from "./opt-outs.js";
import { contentTypeOf } from "./render.js";
import { segmentsOf } from "./segments.js";
import { serviceHasShortCodes, shortCodeFrom } from "./short-codes.js";
import { indexOf, numberByE164, poolOf, push } from "./state.js";
import { MAX_BACKLOG_MS, backlogMs } from "./throughput.js";

/** Twilio's WhatsApp sandbox sender, usable by every account. */
export const WHATSAPP_SANDBOX = "+14155238886";
const MIN_SCHEDULE_MS = 15 * 60_000;
const MAX_SCHEDULE_MS = 35 * 86_400_000;
const MAX_BODY = 1600;

export interface SendRequest {
  to?: string;
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrls: string[];
  contentSid?: string;
  contentVariables?: string;
  statusCallback?: string;
  validityPeriod?: number;
  smartEncoded?: boolean;
  scheduleType?: string;
  sendAt?: string;
  direction: Exclude<Direction, "inbound">;
  /** Keyword auto-replies: not held back by opt-outs or the compliance gate. */
  exempt?: boolean;
}

export function sendRequestFrom(input: Params): SendRequest {
  return {
    to: input.str("To"),
    from: input.str("From") || undefined,
    messagingServiceSid: input.str("MessagingServiceSid") || undefined,
    body: input.str("Body"),
    mediaUrls: input.list("MediaUrl").filter((u) => u !== ""),
    contentSid: input.str("ContentSid") || undefined,
    contentVariables: input.str("ContentVariables"),
    statusCallback: input.str("StatusCallback") || undefined,
    validityPeriod: input.int("ValidityPeriod"),
    smartEncoded: input.has("SmartEncoded") ? input.bool("SmartEncoded") : undefined,
    scheduleType: input.str("ScheduleType") || undefined,
    sendAt: input.str("SendAt") || undefined,
    direction: "outbound-api",
  };
}

const error = (code: number, message: string) => new TwilioError(code, 400, message);

/**
 * Validates a send as Twilio does (docs/twilio-facts.md: "Message statuses", "Error codes", "Test
 * credentials"), stores the message and starts its lifecycle.
 */
export function createMessage(world: World, account: Account, req: SendRequest): MessageDoc {
  if (!req.to) throw error(21604, "A 'To' phone number is required.");
  if (!req.from && !req.messagingServiceSid) throw error(21603, "A 'From' phone number is required.");
  if (!req.body && req.mediaUrls.length === 0 && !req.contentSid)
    throw error(21602, "Message body is required.");
  if (req.body && [...req.body].length > MAX_BODY)
    throw error(21617, `The concatenated message body exceeds the ${MAX_BODY} character limit`);

  const service = req.messagingServiceSid ? serviceFor(world, account, req.messagingServiceSid) : null;
  const content = req.contentSid
    ? renderContent(world, account.sid, req.contentSid, req.contentVariables)
    : null;
  const body = content ? content.body : (req.body ?? "");
  const mediaUrls = content && req.mediaUrls.length === 0 ? content.mediaUrls : req.mediaUrls;
  if (mediaUrls.length > 10 || mediaUrls.some((u) => !/^https?:\/\/\S+$/i.test(u)))
    throw error(21620, "Invalid media URL(s): at most 10 http(s) URLs");
  if (req.statusCallback && !/^https?:\/\/\S+$/i.test(req.statusCallback))
    throw error(21609, `Invalid StatusCallback URL: ${req.statusCallback}`);

  // An alphanumeric sender ID or a short code as From: SMS only, checked against the destination.
  const special = req.from ? specialSender(world, account, req.from, req.to) : null;
  const from = req.from && !special ? senderFor(world, account, req.from) : null;
  const to = parseAddress(req.to);
  if (!to) throw error(21211, `Invalid 'To' Phone Number: ${req.to}`);
  if (from && from.address.channel !== to.channel)
    throw error(21910, "Invalid From and To pair. From and To should be of the same channel");
  const magic = magicToError(to.e164);
  if (magic) throw magic;
  if (from && from.address.e164 === to.e164) throw error(21266, "'To' and 'From' number cannot be the same");
  if (to.channel === "sms" && !req.exempt)
    refuseDisabledCountry(world, account.sid, countryOfNumber(to.e164), to.e164);
  if (
    service &&
    !from &&
    !special &&
    poolOf(world, service.sid).length === 0 &&
    !serviceHasAlpha(world, service.sid) &&
    !serviceHasShortCodes(world, service.sid)
  )
    throw error(21704, "The Messaging Service contains no phone numbers");
  if (to.channel === "sms") {
    const scopes = [
      service?.sid ?? null,
      from?.number?.phone_number ?? null,
      from?.number ? optOutScope(world, from.number) : null,
      special,
    ];
    if (!req.exempt && isOptedOut(world, account.sid, scopes, to.e164))
      throw error(21610, "Attempt to send to unsubscribed recipient");
    if (world.store.get<CarrierDoc>(CARRIERS, to.e164)?.line_type === "landline")
      throw error(21614, `'To' number ${to.e164} is not a valid mobile number`);
  }
  const sendAt = scheduleOf(world, req, service);
  const validity = req.validityPeriod ?? service?.validity_period ?? 36000;
  if (validity < 1 || validity > 36000)
    throw error(20001, "ValidityPeriod must be between 1 and 36000 seconds");

  const smart = req.smartEncoded ?? service?.smart_encoding ?? false;
  const segments =
    to.channel === "sms" && mediaUrls.length === 0
      ? segmentsOf(body, smart)
      : { segments: 1, encoding: "GSM-7" as const };
  const direct = !service && sendAt === null;
  const senderKey = special ?? from?.address.address;
  if (direct && senderKey && backlogMs(world, senderKey) > MAX_BACKLOG_MS)
    throw error(21611, "This 'From' number has exceeded the maximum number of queued messages");

  const now = world.clock.now();
  const status = sendAt !== null ? "scheduled" : service ? "accepted" : "queued";
  const msg = world.store.put<MessageDoc>(MESSAGES, {
    sid: newSid(mediaUrls.length > 0 ? "MM" : "SM"),
    account_sid: account.sid,
    direction: req.direction,
    channel: to.channel,
    from: special ?? from?.address.address ?? null,
    to: to.address,
    body,
    status,
    messaging_service_sid: service?.sid ?? null,
    sender_sid: from?.number?.sid ?? null,
    num_segments: status === "queued" ? segments.segments : 0,
    segments: segments.segments,
    encoding: segments.encoding,
    media: mediaUrls.map((url) => ({ sid: newSid("ME"), url, content_type: contentTypeOf(url) })),
    price: null,
    price_unit: null,
    error_code: null,
    error_message: null,
    status_callback: req.statusCallback ?? service?.status_callback ?? null,
    validity_period: validity,
    smart_encoded: smart,
    content_sid: content?.content.sid ?? null,
    send_at: sendAt,
    queued_at: status === "queued" ? now : null,
    exempt: req.exempt ?? false,
    delivered_at: null,
    date_created: now,
    date_updated: now,
    date_sent: null,
  });
  push(indexOf(world).accountMessages, account.sid, msg.sid);

  if (status === "scheduled") world.scheduler.at(sendAt!, "message.release", { sid: msg.sid });
  else if (status === "accepted") world.scheduler.after(HOP_MS.assign, "message.assign", { sid: msg.sid });
  else enqueue(world, msg, from?.number);
  return msg;
}

function serviceFor(world: World, account: Account, sid: string): ServiceDoc {
  const service = world.store.get<ServiceDoc>(SERVICES, sid);
  if (!service || service.account_sid !== account.sid)
    throw error(21701, `The Messaging Service Sid ${sid} is invalid`);
  return service;
}

/** The From address: one of the account's numbers, the magic sender, or the WhatsApp sandbox. */
function senderFor(
  world: World,
  account: Account,
  raw: string,
): { address: ChannelAddress; number: PhoneNumberDoc | undefined } {
  const address = parseAddress(raw);
  const magic = address && magicFromError(address.e164);
  if (magic) throw magic;
  if (!address)
    throw error(
      21212,
      `The 'From' number ${raw} is not a valid phone number, shortcode, or alphanumeric sender ID`,
    );
  if (address.e164 === MAGIC_SENDER || (address.channel === "whatsapp" && address.e164 === WHATSAPP_SANDBOX))
    return { address, number: undefined };
  const number = numberByE164(world, address.e164);
  const capable = address.channel === "whatsapp" || number?.capabilities.sms || number?.capabilities.mms;
  if (!number || number.account_sid !== account.sid || !capable)
    throw error(
      21606,
      `The 'From' phone number provided (${address.e164}) is not a valid message-capable Twilio phone number for this destination/account`,
    );
  return { address, number };
}

/**
 * A From that is not a phone number: an alphanumeric sender ID (21612 where the destination does
 * not take it) or one of the account's short codes (21606 outside its country). Null otherwise.
 */
function specialSender(
  world: World,
  account: Account,
  raw: string,
  rawTo: string | undefined,
): string | null {
  const trimmed = raw.trim();
  if (parseAddress(trimmed) || /^whatsapp:/i.test(trimmed)) return null;
  const to = parseAddress(rawTo);
  if (to?.channel !== "sms") return null;
  return (
    alphaFrom(world, account.sid, trimmed, to.e164) ??
    shortCodeFrom(world, account.sid, trimmed, to.e164)?.short_code ??
    null
  );
}

/** ScheduleType=fixed + SendAt: only through a Messaging Service, 15 minutes to 35 days ahead. */
function scheduleOf(world: World, req: SendRequest, service: ServiceDoc | null): number | null {
  if (req.scheduleType === undefined) return null;
  if (req.scheduleType !== "fixed") throw error(20001, "ScheduleType must be fixed");
  if (!service) throw error(35118, "MessagingServiceSid is required to schedule a message");
  if (!req.sendAt) throw error(35111, "SendAt is required to schedule a message");
  const at = Date.parse(req.sendAt);
  const lead = at - world.clock.now();
  if (Number.isNaN(at) || lead < MIN_SCHEDULE_MS)
    throw error(
      35114,
      "Scheduling does not support this timestamp: SendAt must be at least 15 minutes ahead",
    );
  if (lead > MAX_SCHEDULE_MS) throw error(35115, "SendAt cannot be more than 35 days in the future");
  return at;
}
