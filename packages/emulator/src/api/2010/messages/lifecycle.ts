import { createHash } from "node:crypto";
import { isAlphaSender } from "../../../core/countries.js";
import type { World } from "../../../world.js";
import { ACCOUNTS, type Account } from "../accounts/model.js";
import { meterMessage } from "../usage/records/model.js";
import { serviceAlpha, serviceHasAlpha } from "./alpha-senders.js";
import { bareNumber } from "./channel.js";
import {
  CARRIERS,
  type CarrierDoc,
  INCOMING_PHONE_NUMBERS,
  MESSAGES,
  type MessageDoc,
  type MessageStatus,
  type PhoneNumberDoc,
  SERVICES,
  type ServiceDoc,
} from "./collections.js";
import { complianceBlock, whatsappBlock } from "./gate.js";
import { isOptedOut, optOutScope } from "./opt-outs.js";
import { type SenderKind, outboundPrice } from "./prices.js";
import { ERROR_MESSAGES } from "./render.js";
import { pickSender } from "./sender.js";
import { serviceShortCode } from "./short-codes.js";
import { indexOf, numberByE164, push } from "./state.js";
import { MAX_BACKLOG_MS, backlogMs, mpsOf, nextSlot, reserveSlot } from "./throughput.js";

/** Emulated time per hop; a message is delivered well under a second after it leaves its queue. */
export const HOP_MS = { assign: 100, dispatch: 100, sent: 200, dlr: 400, read: 1500, fail: 300 };

/**
 * The outbound state machine (docs/twilio-facts.md, "Message statuses"). A job that finds its
 * message elsewhere (a scheduled message canceled meanwhile, a deleted message) is stale and does
 * nothing.
 */
const NEXT: Record<MessageStatus, MessageStatus[]> = {
  scheduled: ["accepted", "canceled"],
  accepted: ["queued", "failed"],
  queued: ["sending", "failed"],
  sending: ["sent", "failed"],
  sent: ["delivered", "undelivered"],
  delivered: ["read"],
  undelivered: [],
  failed: [],
  read: [],
  canceled: [],
  received: [],
};

export function canMove(from: MessageStatus, to: MessageStatus): boolean {
  return NEXT[from].includes(to);
}

/** Twilio refuses to delete or redact a message it is still working on (20009). */
export const inFlight = (status: MessageStatus) =>
  ["accepted", "scheduled", "queued", "sending"].includes(status);

export function registerLifecycle(world: World) {
  const on = (kind: string, step: (msg: MessageDoc, data: Record<string, any>) => void) =>
    world.scheduler.on(kind, (data) => {
      const msg = world.store.get<MessageDoc>(MESSAGES, data.sid);
      if (msg) step(msg, data);
    });
  on("message.release", (msg) => {
    if (move(world, msg, "accepted"))
      world.scheduler.after(HOP_MS.assign, "message.assign", { sid: msg.sid });
  });
  on("message.assign", (msg) => assign(world, msg));
  on("message.dispatch", (msg) => {
    if (move(world, msg, "sending")) world.scheduler.after(HOP_MS.sent, "message.sent", { sid: msg.sid });
  });
  on("message.sent", (msg) => handOff(world, msg));
  on("message.dlr", (msg) => report(world, msg));
  on("message.read", (msg) => move(world, msg, "read"));
  on("message.fail", (msg, data) => fail(world, msg, data.code));
}

/** Moves a message along the state machine, then tells its status callback (never the initial status). */
export function move(world: World, msg: MessageDoc, to: MessageStatus, changes: Partial<MessageDoc> = {}) {
  if (!canMove(msg.status, to)) return null;
  const updated = world.store.patch<MessageDoc>(MESSAGES, msg.sid, {
    ...changes,
    status: to,
    date_updated: world.clock.now(),
  })!;
  notify(world, updated);
  return updated;
}

export function fail(world: World, msg: MessageDoc, code: number) {
  return move(world, msg, "failed", { error_code: code, error_message: ERROR_MESSAGES[code] ?? null });
}

/** A Messaging Service message gets its sender: accepted → queued. */
function assign(world: World, msg: MessageDoc) {
  if (msg.status !== "accepted") return;
  let sender: PhoneNumberDoc | undefined;
  let from: string | null = msg.from;
  if (from) sender = numberByE164(world, bareNumber(from));
  else {
    const service = world.store.get<ServiceDoc>(SERVICES, msg.messaging_service_sid ?? "");
    // Twilio's order: a short code of the recipient's country, the alphanumeric sender where the
    // country takes it (SMS without media), then a number of the pool.
    const sms = msg.channel === "sms";
    const to = bareNumber(msg.to);
    const code = service && sms ? serviceShortCode(world, service.sid, to) : null;
    const alpha =
      service && sms && !code && msg.media.length === 0
        ? serviceAlpha(world, service.sid, msg.account_sid, to)
        : null;
    if (code || alpha) from = code?.short_code ?? alpha!;
    else {
      const chosen = service && pickSender(world, service, msg.to, msg.channel, msg.media.length > 0);
      if (!chosen) return fail(world, msg, service && serviceHasAlpha(world, service.sid) ? 21612 : 21704);
      sender = chosen;
      from = msg.channel === "whatsapp" ? `whatsapp:${chosen.phone_number}` : chosen.phone_number;
    }
  }
  const scopes = sender ? [sender.phone_number, optOutScope(world, sender)] : [];
  if (!msg.exempt && msg.channel === "sms" && isOptedOut(world, msg.account_sid, scopes, bareNumber(msg.to)))
    return fail(world, msg, 21610);
  if (backlogMs(world, from) > MAX_BACKLOG_MS) return fail(world, msg, 30001);
  const queued = move(world, msg, "queued", {
    from,
    sender_sid: sender?.sid ?? null,
    num_segments: msg.segments,
    queued_at: world.clock.now(),
  });
  if (queued) enqueue(world, queued, sender);
}

/**
 * A queued message waits for its sender's pace (segments per second). It fails instead when
 * the compliance gate or the WhatsApp window holds it back, or when its validity period would
 * run out in the queue (30036).
 */
export function enqueue(world: World, msg: MessageDoc, sender: PhoneNumberDoc | undefined) {
  const blocked = msg.exempt ? null : (complianceBlock(world, msg, sender) ?? whatsappBlock(world, msg));
  if (blocked) {
    world.scheduler.after(HOP_MS.fail, "message.fail", { sid: msg.sid, code: blocked });
    return;
  }
  const key = msg.from!;
  const queuedAt = msg.queued_at ?? world.clock.now();
  const earliest = world.clock.now() + HOP_MS.dispatch;
  const deadline = queuedAt + msg.validity_period * 1000;
  if (nextSlot(world, key, earliest) > deadline) {
    world.scheduler.at(deadline, "message.fail", { sid: msg.sid, code: 30036 });
    return;
  }
  const cost = msg.channel === "sms" && msg.media.length === 0 ? msg.segments : 1;
  const mps = mpsOf(world, bareNumber(key), sender?.type ?? null, msg.channel);
  const start = reserveSlot(world, key, cost, mps, earliest);
  world.scheduler.at(start, "message.dispatch", { sid: msg.sid });
}

/** The carrier takes the message (sent), or refuses it outright (failed). */
function handOff(world: World, msg: MessageDoc) {
  const carrier = world.store.get<CarrierDoc>(CARRIERS, bareNumber(msg.to));
  if (carrier?.outcome === "failed") return fail(world, msg, carrier.error_code ?? 30008);
  const sender = msg.sender_sid
    ? world.store.get<PhoneNumberDoc>(INCOMING_PHONE_NUMBERS, msg.sender_sid)
    : undefined;
  const sent = move(world, msg, "sent", {
    date_sent: world.clock.now(),
    price: outboundPrice(msg, senderKindOf(msg, sender)),
    price_unit: "USD",
  });
  if (!sent) return;
  // Billed from here on, whatever the delivery receipt says: the account's usage records count it.
  meterMessage(world, sent, sender?.type ?? null);
  world.scheduler.after(HOP_MS.dlr, "message.dlr", { sid: msg.sid });
}

/** What sent the message, for its price: the number, else a short code or an alphanumeric ID. */
function senderKindOf(msg: MessageDoc, sender: PhoneNumberDoc | undefined): SenderKind | null {
  if (sender) return sender.type;
  if (msg.from && isAlphaSender(msg.from)) return "alphanumeric";
  if (msg.from && /^\d{3,8}$/.test(msg.from)) return "shortcode";
  return null;
}

/** The delivery receipt: delivered (then read, on WhatsApp) or undelivered. */
function report(world: World, msg: MessageDoc) {
  const carrier = world.store.get<CarrierDoc>(CARRIERS, bareNumber(msg.to));
  if (carrier?.outcome === "undelivered") {
    const code = carrier.error_code ?? 30003;
    move(world, msg, "undelivered", { error_code: code, error_message: ERROR_MESSAGES[code] ?? null });
    return;
  }
  const delivered = move(world, msg, "delivered", { delivered_at: world.clock.now() });
  if (!delivered) return;
  push(indexOf(world).inbox, bareNumber(msg.to), msg.sid);
  if (msg.channel === "whatsapp") world.scheduler.after(HOP_MS.read, "message.read", { sid: msg.sid });
}

function notify(world: World, msg: MessageDoc) {
  if (!msg.status_callback) return;
  const account = world.store.get<Account>(ACCOUNTS, msg.account_sid);
  if (!account) return;
  world.callbacks.send(msg.status_callback, statusParams(msg, world.clock.now()), account.auth_token);
}

/** The status callback's form fields (docs/twilio-facts.md, "Message statuses"). */
export function statusParams(msg: MessageDoc, now: number): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: msg.account_sid,
    ApiVersion: "2010-04-01",
    ChannelInstallSid: `XE${createHash("md5").update(msg.account_sid).digest("hex")}`,
    ChannelPrefix: msg.channel,
    ChannelToAddress: bareNumber(msg.to),
    MessageSid: msg.sid,
    MessageStatus: msg.status,
    SmsSid: msg.sid,
    SmsStatus: msg.status,
    StructuredMessage: "false",
    To: msg.to,
  };
  if (msg.from) params.From = msg.from;
  if (msg.messaging_service_sid) params.MessagingServiceSid = msg.messaging_service_sid;
  if ((msg.status === "failed" || msg.status === "undelivered") && msg.error_code !== null) {
    params.ErrorCode = String(msg.error_code);
    if (msg.error_message) params.ErrorMessage = msg.error_message;
  }
  if (msg.status === "delivered" || msg.status === "undelivered") params.RawDlrDoneDate = dlrDate(now);
  return params;
}

/** `YYMMDDhhmm` in UTC, as carriers stamp delivery receipts. */
function dlrDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}
