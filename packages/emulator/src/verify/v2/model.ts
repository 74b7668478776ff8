import { iso } from "../../core/dates.js";
import { TwilioError, notFound } from "../../core/errors.js";
import type { World } from "../../world.js";

export const VERIFY_SERVICES = "verify_services";
export const VERIFICATIONS = "verifications";
export const HOST = "https://verify.twilio.com/v2";

export const CHANNELS = ["sms", "call", "email", "whatsapp"] as const;
export type Channel = (typeof CHANNELS)[number];

/** Verify's documented defaults (docs: "Verification lifecycle", "Rate limits"). */
export const POLICY = {
  /** A verification expires 10 minutes after it started. */
  lifetimeMs: 10 * 60_000,
  /** Send attempts (create + resends) per verification → 60203 beyond. */
  maxSends: 5,
  /** Wrong checks allowed; the next check answers 60202. */
  maxChecks: 5,
  /** New verifications per `To` per account across services in the window → 20429 beyond. */
  perToLimit: 5,
  perToWindowMs: 10 * 60_000,
} as const;

export interface VerifyService {
  sid: string;
  account_sid: string;
  friendly_name: string;
  code_length: number;
  lookup_enabled: boolean;
  psd2_enabled: boolean;
  skip_sms_to_landlines: boolean;
  dtmf_input_required: boolean;
  tts_name: string | null;
  do_not_share_warning_enabled: boolean;
  custom_code_enabled: boolean;
  push: { include_date: boolean; apn_credential_sid: string | null; fcm_credential_sid: string | null };
  totp: { issuer: string | null; time_step: number | null; code_length: number | null; skew: number | null };
  whatsapp: { msg_service_sid: string | null; from: string | null };
  default_template_sid: string | null;
  verify_event_subscription_enabled: boolean;
  /** Channels switched off through the control API (answers 60223). */
  disabled_channels: Channel[];
  date_created: number;
  date_updated: number;
}

export type VerificationStatus =
  | "pending"
  | "approved"
  | "canceled"
  | "max_attempts_reached"
  | "expired"
  | "failed"
  | "deleted";

export interface SendAttempt {
  time: number;
  channel: Channel;
  attempt_sid: string;
}

export interface Verification {
  sid: string;
  service_sid: string;
  account_sid: string;
  to: string;
  channel: Channel;
  status: VerificationStatus;
  /** Held by the emulator only: tests read it through the control API, never through the REST API. */
  code: string;
  locale: string | null;
  amount: string | null;
  payee: string | null;
  lookup: Record<string, unknown>;
  send_code_attempts: SendAttempt[];
  check_attempts: number;
  expires_at: number;
  date_created: number;
  date_updated: number;
}

export function renderService(s: VerifyService) {
  const url = `${HOST}/Services/${s.sid}`;
  return {
    sid: s.sid,
    account_sid: s.account_sid,
    friendly_name: s.friendly_name,
    code_length: s.code_length,
    lookup_enabled: s.lookup_enabled,
    psd2_enabled: s.psd2_enabled,
    skip_sms_to_landlines: s.skip_sms_to_landlines,
    dtmf_input_required: s.dtmf_input_required,
    tts_name: s.tts_name,
    do_not_share_warning_enabled: s.do_not_share_warning_enabled,
    custom_code_enabled: s.custom_code_enabled,
    push: s.push,
    totp: s.totp,
    whatsapp: s.whatsapp,
    passkeys: {
      relying_party: { id: null, name: null, origins: null },
      authenticator_attachment: null,
      discoverable_credentials: null,
      user_verification: null,
    },
    default_template_sid: s.default_template_sid,
    verify_event_subscription_enabled: s.verify_event_subscription_enabled,
    date_created: iso(s.date_created),
    date_updated: iso(s.date_updated),
    url,
    links: Object.fromEntries(
      [
        ["verification_checks", "VerificationCheck"],
        ["verifications", "Verifications"],
        ["rate_limits", "RateLimits"],
        ["messaging_configurations", "MessagingConfigurations"],
        ["entities", "Entities"],
        ["webhooks", "Webhooks"],
        ["access_tokens", "AccessTokens"],
      ].map(([k, p]) => [k, `${url}/${p}`]),
    ),
  };
}

/** send_code_attempts[].channel as Twilio writes it: SMS, CALL, EMAIL, but whatsapp in lowercase. */
function attemptChannel(c: Channel) {
  return c === "whatsapp" ? "whatsapp" : c.toUpperCase();
}

export function renderVerification(v: Verification) {
  return {
    sid: v.sid,
    service_sid: v.service_sid,
    account_sid: v.account_sid,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === "approved",
    date_created: iso(v.date_created),
    date_updated: iso(v.date_updated),
    lookup: v.lookup,
    amount: v.amount,
    payee: v.payee,
    send_code_attempts: v.send_code_attempts.map((a) => ({
      time: iso(a.time),
      channel: attemptChannel(a.channel),
      attempt_sid: a.attempt_sid,
    })),
    sna: null,
    url: `${HOST}/Services/${v.service_sid}/Verifications/${v.sid}`,
  };
}

export function renderCheck(v: Verification) {
  return {
    sid: v.sid,
    service_sid: v.service_sid,
    account_sid: v.account_sid,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === "approved",
    amount: v.amount,
    payee: v.payee,
    sna_attempts_error_codes: [],
    date_created: iso(v.date_created),
    date_updated: iso(v.date_updated),
  };
}

export const invalid = (message: string) => new TwilioError(60200, 400, `Invalid parameter: ${message}`);

export function ownService(world: World, accountSid: string, sid: string): VerifyService {
  const s = world.store.get<VerifyService>(VERIFY_SERVICES, sid);
  if (!s || s.account_sid !== accountSid) throw notFound("Service");
  return s;
}

/** A pending verification past its lifetime becomes expired when next looked at (and by a job). */
export function settle(world: World, v: Verification): Verification {
  if (v.status === "pending" || v.status === "max_attempts_reached") {
    if (world.clock.now() >= v.expires_at) {
      return world.store.patch<Verification>(VERIFICATIONS, v.sid, {
        status: "expired",
        date_updated: v.expires_at,
      })!;
    }
  }
  return v;
}
