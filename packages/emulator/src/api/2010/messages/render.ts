import { rfc2822 } from "../../../core/dates.js";
import type { MediaItem, MessageDoc } from "./collections.js";

export function messageUri(m: Pick<MessageDoc, "account_sid" | "sid">) {
  return `/2010-04-01/Accounts/${m.account_sid}/Messages/${m.sid}`;
}

/** A Message as the 2010 API answers it: numbers as strings, RFC 2822 dates. */
export function renderMessage(m: MessageDoc) {
  return {
    account_sid: m.account_sid,
    api_version: "2010-04-01",
    body: m.body,
    date_created: rfc2822(m.date_created),
    date_sent: rfc2822(m.date_sent),
    date_updated: rfc2822(m.date_updated),
    direction: m.direction,
    error_code: m.error_code,
    error_message: m.error_message,
    from: m.from,
    messaging_service_sid: m.messaging_service_sid,
    num_media: String(m.media.length),
    num_segments: String(m.num_segments),
    price: m.price === null ? null : (-m.price).toFixed(5),
    price_unit: m.price_unit,
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${messageUri(m)}/Media.json` },
    to: m.to,
    uri: `${messageUri(m)}.json`,
  };
}

export function renderMedia(m: MessageDoc, item: MediaItem) {
  return {
    account_sid: m.account_sid,
    content_type: item.content_type,
    date_created: rfc2822(m.date_created),
    date_updated: rfc2822(m.date_updated),
    parent_sid: m.sid,
    sid: item.sid,
    uri: `${messageUri(m)}/Media/${item.sid}.json`,
  };
}

const TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  mp4: "video/mp4",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  vcf: "text/vcard",
  txt: "text/plain",
};

/** The emulator never downloads media: the type is guessed from the URL's extension. */
export function contentTypeOf(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {}
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) ?? "image/jpeg";
}

/** Error descriptions for `error_message` and the control API (paraphrasing Twilio's error pages). */
export const ERROR_MESSAGES: Record<number, string> = {
  21610: "Attempt to send to unsubscribed recipient",
  21612: "The 'To' phone number is not currently reachable via SMS from this sender",
  21704: "The Messaging Service contains no phone numbers",
  30001: "Queue overflow",
  30003: "Unreachable destination handset",
  30004: "Message blocked",
  30005: "Unknown destination handset",
  30006: "Landline or unreachable carrier",
  30007: "Message filtered by the carrier",
  30008: "Unknown error",
  30032: "Toll-free number has not been verified",
  30034: "Message from an unregistered number (A2P 10DLC)",
  30036: "Validity period expired",
  63016: "Outside the allowed window: use a WhatsApp template",
};
