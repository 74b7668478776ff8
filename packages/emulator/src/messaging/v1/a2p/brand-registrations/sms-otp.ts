import { iso } from "../../../../core/dates.js";
import { TwilioError } from "../../../../core/errors.js";
import { newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import type { World } from "../../../../world.js";
import { BRAND_OTPS, type Brand, ownBrand } from "./model.js";

const BASE = "/messaging/v1/a2p/BrandRegistrations";
export const OTP_DEADLINE = "a2p.brand.otp-deadline";
/** TCR's OTP sender and wording (sole proprietor walkthrough, step 3.1). */
export const OTP_FROM = "+19152782000";
export const OTP_TEXT =
  "Please confirm your registration for US A2P Messaging by replying YES. Msg & data rates may apply.";
export const OTP_CONFIRMATION = "Thank you. Your registration has been confirmed.";
/** An OTP is valid for 24 hours; after that only a retriggered one (SmsOtp) can be answered. */
export const OTP_VALIDITY_MS = 24 * 3_600_000;

export interface Otp {
  sid: string;
  brand_sid: string;
  account_sid: string;
  to: string;
  from: string;
  body: string;
  sent_at: number;
  expires_at: number;
  confirmed_at: number | null;
  /** A newer OTP replaced this one, or the brand failed. */
  superseded: boolean;
}

/** Sends a fresh OTP to the brand's mobile number; earlier ones can no longer be answered. */
export function sendOtp(world: World, brand: Brand): Otp | null {
  cancelOtps(world, brand.sid);
  if (!brand.mobile) return null;
  const now = world.clock.now();
  return world.store.put<Otp>(BRAND_OTPS, {
    sid: newSid("SM"),
    brand_sid: brand.sid,
    account_sid: brand.account_sid,
    to: brand.mobile,
    from: OTP_FROM,
    body: OTP_TEXT,
    sent_at: now,
    expires_at: now + OTP_VALIDITY_MS,
    confirmed_at: null,
    superseded: false,
  });
}

export function cancelOtps(world: World, brandSid: string) {
  for (const otp of world.store.list<Otp>(BRAND_OTPS, (o) => o.brand_sid === brandSid && !o.superseded))
    world.store.patch<Otp>(BRAND_OTPS, otp.sid, { superseded: true });
}

/** The latest OTP sent to a handset that is still waiting for an answer (expired or not). */
export function openOtpFor(world: World, e164: string): Otp | undefined {
  const open = world.store.list<Otp>(
    BRAND_OTPS,
    (o) => o.to === e164 && !o.superseded && o.confirmed_at === null,
  );
  return open.sort((a, b) => a.sent_at - b.sent_at).pop();
}

/** What the handset received: each OTP request and, once answered, TCR's confirmation. */
export function handsetOtpMessages(world: World, e164: string) {
  return world.store
    .list<Otp>(BRAND_OTPS, (o) => o.to === e164)
    .flatMap((o) => {
      const request = {
        sid: o.sid,
        brand_registration_sid: o.brand_sid,
        from: o.from,
        to: o.to,
        body: o.body,
        date_sent: iso(o.sent_at),
        expires_at: iso(o.expires_at),
        status: o.confirmed_at
          ? "confirmed"
          : o.superseded
            ? "superseded"
            : world.clock.now() > o.expires_at
              ? "expired"
              : "pending",
      };
      if (!o.confirmed_at) return [request];
      const confirmation = {
        ...request,
        sid: `${o.sid}c`,
        body: OTP_CONFIRMATION,
        date_sent: iso(o.confirmed_at),
      };
      return [request, confirmation];
    });
}

export function registerSmsOtp(r: Router) {
  // A fresh OTP for a sole proprietor whose first one expired (sole proprietor walkthrough, step 3.2).
  r.post(`${BASE}/:Sid/SmsOtp`, ({ world, account, params }) => {
    const brand = ownBrand(world, account.sid, params.Sid);
    if (brand.brand_type !== "SOLE_PROPRIETOR")
      throw new TwilioError(20001, 400, `Brand ${brand.sid} is not a SOLE_PROPRIETOR brand: it has no OTP`);
    if (brand.status !== "APPROVED" || brand.identity_status !== "UNVERIFIED")
      throw new TwilioError(
        20001,
        400,
        `Brand ${brand.sid} is ${brand.status}/${brand.identity_status}: an OTP is sent only to an approved, unverified brand`,
      );
    sendOtp(world, brand);
    return { status: 201, body: { account_sid: brand.account_sid, brand_registration_sid: brand.sid } };
  });
}
