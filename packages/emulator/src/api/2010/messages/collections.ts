import type { Channel } from "./channel.js";

/**
 * The collections this area writes, with the fields other areas rely on
 * (docs/EMULATOR-AREAS.md), and the ones it reads from other areas.
 */
export const INCOMING_PHONE_NUMBERS = "incoming_phone_numbers";
export const ADDRESSES = "addresses";
export const SERVICES = "services";
export const SERVICE_PHONE_NUMBERS = "service_phone_numbers";
export const MESSAGES = "messages";
export const OPT_OUTS = "opt_outs";
export const CARRIERS = "carriers";
export const WHATSAPP_SESSIONS = "whatsapp_sessions";
export const STICKY_SENDERS = "sticky_senders";
export const MESSAGING_SETTINGS = "messaging_settings";
/** Short codes provisioned into accounts (the control API), and the services they serve. */
export const SHORT_CODES = "short_codes";
export const SERVICE_SHORT_CODES = "service_short_codes";
/** A Messaging Service's alphanumeric sender ID (at most one per service). */
export const SERVICE_ALPHA_SENDERS = "service_alpha_senders";
/** Alphanumeric sender IDs registered for a country that requires registration (the control API). */
export const ALPHA_REGISTRATIONS = "alpha_sender_registrations";
/** Written by other areas, read here. */
export const CONTENTS = "contents";
export const USA2P = "usa2p";
export const TOLLFREE_VERIFICATIONS = "tollfree_verifications";

export type HttpMethod = "GET" | "POST";

/** What kind of number it is (the numbering plan in numbering.ts tells it from the digits). */
export type NumberType = "local" | "toll_free" | "mobile";

export interface Capabilities {
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
}

export interface PhoneNumberDoc {
  sid: string;
  account_sid: string;
  phone_number: string;
  friendly_name: string;
  iso_country: string;
  type: NumberType;
  capabilities: Capabilities;
  sms_url: string | null;
  sms_method: HttpMethod;
  sms_fallback_url: string | null;
  sms_fallback_method: HttpMethod;
  sms_application_sid: string | null;
  status_callback: string | null;
  status_callback_method: HttpMethod;
  voice_url: string | null;
  voice_method: HttpMethod;
  voice_fallback_url: string | null;
  voice_fallback_method: HttpMethod;
  voice_application_sid: string | null;
  voice_caller_id_lookup: boolean;
  voice_receive_mode: "voice" | "fax";
  address_sid: string | null;
  address_requirements: "none" | "any" | "local" | "foreign";
  bundle_sid: string | null;
  identity_sid: string | null;
  trunk_sid: string | null;
  emergency_status: "Active" | "Inactive";
  emergency_address_sid: string | null;
  date_created: number;
  date_updated: number;
}

export interface ServiceDoc {
  sid: string;
  account_sid: string;
  friendly_name: string;
  inbound_request_url: string | null;
  inbound_method: HttpMethod;
  fallback_url: string | null;
  fallback_method: HttpMethod;
  status_callback: string | null;
  sticky_sender: boolean;
  mms_converter: boolean;
  smart_encoding: boolean;
  scan_message_content: "inherit" | "enable" | "disable";
  fallback_to_long_code: boolean;
  area_code_geomatch: boolean;
  synchronous_validation: boolean;
  validity_period: number;
  usecase: string;
  use_inbound_webhook_on_number: boolean;
  date_created: number;
  date_updated: number;
}

/** A short code of an account (SC…); provisioned by the control API, as Twilio's are after carrier review. */
export interface ShortCodeDoc {
  sid: string;
  account_sid: string;
  short_code: string;
  iso_country: string;
  friendly_name: string;
  api_version: string;
  sms_url: string | null;
  sms_method: HttpMethod;
  sms_fallback_url: string | null;
  sms_fallback_method: HttpMethod;
  date_created: number;
  date_updated: number;
}

/** A short code in a service, keyed by the short code's SC sid (one service per short code). */
export interface ServiceShortCodeDoc {
  sid: string;
  service_sid: string;
  account_sid: string;
  date_created: number;
  date_updated: number;
}

export interface ServiceAlphaSenderDoc {
  sid: string;
  service_sid: string;
  account_sid: string;
  alpha_sender: string;
  date_created: number;
  date_updated: number;
}

/** Keyed `<account_sid>|<ISO country>|<ALPHA SENDER in upper case>`. */
export interface AlphaRegistrationDoc {
  sid: string;
  account_sid: string;
  iso_country: string;
  alpha_sender: string;
  date_created: number;
}

/** One number in one service's sender pool, keyed by the number's PN sid. */
export interface ServicePhoneNumberDoc {
  sid: string;
  service_sid: string;
  account_sid: string;
  phone_number_sid: string;
  date_created: number;
  date_updated: number;
}

export type MessageStatus =
  | "accepted"
  | "scheduled"
  | "queued"
  | "sending"
  | "sent"
  | "delivered"
  | "undelivered"
  | "failed"
  | "read"
  | "canceled"
  | "received";

export type Direction = "inbound" | "outbound-api" | "outbound-reply";

export interface MediaItem {
  sid: string;
  url: string;
  content_type: string;
}

export interface MessageDoc {
  sid: string;
  account_sid: string;
  direction: Direction;
  channel: Channel;
  /** Null while a Messaging Service has not chosen the sender yet. */
  from: string | null;
  to: string;
  body: string;
  status: MessageStatus;
  messaging_service_sid: string | null;
  /** PN sid of the sending number (null for the magic sender and WhatsApp sandbox). */
  sender_sid: string | null;
  /** As reported: 0 until a sender is chosen. */
  num_segments: number;
  /** What the body costs in segments, whatever is reported yet. */
  segments: number;
  encoding: "GSM-7" | "UCS-2";
  media: MediaItem[];
  price: number | null;
  price_unit: string | null;
  error_code: number | null;
  error_message: string | null;
  status_callback: string | null;
  validity_period: number;
  smart_encoded: boolean;
  content_sid: string | null;
  send_at: number | null;
  /** When it entered the sender's queue: its validity period counts from here. */
  queued_at: number | null;
  /** Keyword auto-replies skip the opt-out check and the compliance gate. */
  exempt: boolean;
  delivered_at: number | null;
  date_created: number;
  date_updated: number;
  date_sent: number | null;
}

export interface OptOutDoc {
  sid: string;
  account_sid: string;
  /** The Messaging Service sid, or the sender's number when it is in no service. */
  scope: string;
  phone_number: string;
  keyword: string;
  date_created: number;
}

export interface CarrierDoc {
  sid: string;
  carrier: string;
  line_type: string;
  outcome?: "delivered" | "undelivered" | "failed";
  error_code?: number | null;
}

export interface WhatsAppSessionDoc {
  sid: string;
  account_sid: string;
  business_address: string;
  user_address: string;
  last_inbound_at: number;
}

export const optOutSid = (accountSid: string, scope: string, e164: string) =>
  `${accountSid}|${scope}|${e164}`;
export const sessionSid = (accountSid: string, business: string, user: string) =>
  `${accountSid}|${business}|${user}`;
