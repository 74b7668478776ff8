/**
 * What makes a send request acceptable, before the gate and the database: the recipient (E.164,
 * a number that can receive texts), the body (Twilio's 1,600-character limit, exact segments),
 * media, the schedule and the metadata. Pure: the same input gives the same findings.
 */
import type { SendInput } from "./input.js";
import { createHash } from "node:crypto";
import { isWhatsAppAddress, whatsappAddress } from "@subtext/telecom/whatsapp/address";
import { parsePhone, smsReachability } from "@subtext/telecom/phone";
import { type SmsEncoding, MAX_BODY_CHARACTERS, countSegments } from "@subtext/telecom/segments";
import { smartEncodingSaving } from "@subtext/telecom/smart-encoding";

export interface Finding {
  path: string;
  code: string;
  message: string;
  twilio_code?: number;
}

export interface ValidSend {
  to: string;
  body: string;
  from: string | null;
  messagingServiceId: string | null;
  /** The campaign's use case the send names (`2FA`…), or null. */
  useCase: string | null;
  /** What the message is, for a destination country's rules; null: derived (international.ts). */
  purpose: "marketing" | "transactional" | "otp" | null;
  /** India's DLT template id, when given. */
  dltTemplateId: string | null;
  mediaUrls: string[];
  channel: "sms" | "mms" | "whatsapp";
  sendAt: Date | null;
  metadata: Record<string, unknown> | null;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  segments: number;
  encoding: SmsEncoding;
  characters: number;
  smartEncoded: boolean;
  /** Segments smart encoding saves per message (applied, or available when it is off). */
  segmentsSaved: number;
  /** Twilio's ValidityPeriod in seconds; null: Twilio's default. */
  validityPeriod: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

export type Validation = { ok: true; send: ValidSend } | { ok: false; findings: Finding[] };

export const MAX_MEDIA = 10;
export const MAX_METADATA_BYTES = 4096;
/** How far ahead a message may be scheduled (Twilio's own limit for scheduled messages). */
export const MAX_SCHEDULE_MS = 35 * 86_400_000;
/** A send_at this far in the past is a mistake rather than clock skew. */
const PAST_TOLERANCE_MS = 60_000;
/** Twilio's bounds for ValidityPeriod, in seconds (https://www.twilio.com/docs/messaging/api/message-resource). */
export const VALIDITY_PERIOD = { min: 1, max: 36_000 } as const;
const URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;

/** A WhatsApp send: `channel: "whatsapp"`, or a `whatsapp:` recipient. */
export function isWhatsAppSend(input: Pick<SendInput, "to" | "channel">): boolean {
  return input.channel === "whatsapp" || isWhatsAppAddress(input.to);
}

const bare = (address: string) => address.trim().replace(/^whatsapp:/i, "");

export function validateSend(input: SendInput, now: Date): Validation {
  const findings: Finding[] = [];
  const whatsapp = isWhatsAppSend(input);
  const to = parsePhone(whatsapp ? bare(input.to) : input.to);
  if (!to.ok) findings.push({ path: "/to", code: to.code, message: to.message, twilio_code: 21211 });
  else if (!whatsapp) {
    // Landlines cannot receive texts; WhatsApp accounts can live on any number.
    const reach = smsReachability(to.phone);
    if (!reach.ok)
      findings.push({ path: "/to", code: reach.code, message: reach.message, twilio_code: 21614 });
  }
  if (input.channel !== undefined && input.channel !== "whatsapp" && isWhatsAppAddress(input.to)) {
    findings.push({
      path: "/channel",
      code: "channel_mismatch",
      message: `A whatsapp: recipient cannot be sent on channel ${input.channel}.`,
    });
  }
  let from: string | null = null;
  if (input.from !== undefined) {
    const parsed = parsePhone(whatsapp ? bare(input.from) : input.from);
    if (!parsed.ok)
      findings.push({ path: "/from", code: parsed.code, message: parsed.message, twilio_code: 21212 });
    else from = whatsapp ? whatsappAddress(parsed.phone.e164) : parsed.phone.e164;
  }

  const media = input.media_urls ?? [];
  if (media.length > MAX_MEDIA || media.some((u) => !URL.test(u))) {
    findings.push({
      path: "/media_urls",
      code: "invalid_media_url",
      message: `At most ${MAX_MEDIA} media URLs, each an absolute http(s) URL.`,
      twilio_code: 21620,
    });
  }
  const body = input.body ?? "";
  if (body === "" && media.length === 0 && !input.content_sid) {
    findings.push({
      path: "/body",
      code: "body_required",
      message: "A body, media or a content template is required.",
      twilio_code: 21602,
    });
  }
  const characters = [...body].length;
  if (characters > MAX_BODY_CHARACTERS) {
    findings.push({
      path: "/body",
      code: "body_too_long",
      message: `The body has ${characters} characters; the limit is ${MAX_BODY_CHARACTERS}.`,
      twilio_code: 21617,
    });
  }

  let sendAt: Date | null = null;
  if (input.send_at !== undefined) {
    const at = Date.parse(input.send_at);
    if (Number.isNaN(at))
      findings.push({
        path: "/send_at",
        code: "invalid_send_at",
        message: "send_at must be an ISO 8601 date-time.",
      });
    else if (at < now.getTime() - PAST_TOLERANCE_MS)
      findings.push({ path: "/send_at", code: "send_at_in_past", message: "send_at is in the past." });
    else if (at > now.getTime() + MAX_SCHEDULE_MS)
      findings.push({
        path: "/send_at",
        code: "send_at_too_far",
        message: "send_at may be at most 35 days ahead.",
      });
    else if (at > now.getTime()) sendAt = new Date(at);
  }
  if (
    input.metadata !== undefined &&
    Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES
  ) {
    findings.push({
      path: "/metadata",
      code: "metadata_too_large",
      message: `metadata may be at most ${MAX_METADATA_BYTES} bytes of JSON.`,
    });
  }
  const validity = input.validity_period;
  if (validity !== undefined && (validity < VALIDITY_PERIOD.min || validity > VALIDITY_PERIOD.max)) {
    findings.push({
      path: "/validity_period",
      code: "invalid_validity_period",
      message: `validity_period is seconds from ${VALIDITY_PERIOD.min} to ${VALIDITY_PERIOD.max}; got ${validity}.`,
    });
  }
  if (findings.length > 0 || !to.ok) return { ok: false, findings };

  // A WhatsApp message is one message whatever its length: lanes count it as one.
  const counted = whatsapp
    ? { ...segmentsOf("", false, false), encoding: body ? countSegments(body).encoding : "GSM-7" }
    : segmentsOf(body, media.length > 0, input.smart_encoding === true);
  return {
    ok: true,
    send: {
      to: whatsapp ? whatsappAddress(to.phone.e164) : to.phone.e164,
      body,
      from,
      messagingServiceId: input.messaging_service_id ?? null,
      useCase: input.use_case ?? null,
      purpose: input.purpose ?? null,
      dltTemplateId: input.dlt_template_id ?? null,
      mediaUrls: media,
      channel: whatsapp ? "whatsapp" : media.length > 0 ? "mms" : "sms",
      sendAt,
      metadata: input.metadata ?? null,
      contentSid: input.content_sid ?? null,
      contentVariables: input.content_variables ?? null,
      ...counted,
      characters,
      validityPeriod: validity ?? null,
      idempotencyKey: input.idempotency_key ?? null,
      // Only a keyed request is ever compared with another.
      requestHash: input.idempotency_key === undefined ? null : requestHash(input),
    },
  };
}

/**
 * Segments as lanes count them: an MMS is one; an SMS is counted on the body Twilio will send
 * (smart-encoded when asked), and the saving smart encoding brings is reported either way.
 */
function segmentsOf(body: string, mms: boolean, smart: boolean) {
  if (mms) return { segments: 1, encoding: "GSM-7" as SmsEncoding, smartEncoded: smart, segmentsSaved: 0 };
  if (body === "")
    return { segments: 1, encoding: "GSM-7" as SmsEncoding, smartEncoded: smart, segmentsSaved: 0 };
  const plain = countSegments(body);
  // Smart encoding only replaces characters outside GSM-7: a GSM-7 body has nothing to save.
  if (plain.encoding === "GSM-7") {
    return { segments: plain.segments, encoding: plain.encoding, smartEncoded: smart, segmentsSaved: 0 };
  }
  const saving = smartEncodingSaving(body);
  const counted = smart ? saving.encoded : plain;
  return {
    segments: counted.segments,
    encoding: counted.encoding,
    smartEncoded: smart,
    segmentsSaved: saving.segments_saved,
  };
}

/** A stable digest of what was asked (key order ignored): the same key must mean the same request. */
export function requestHash(input: SendInput): string {
  const { idempotency_key: _ignored, ...rest } = input;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex").slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
