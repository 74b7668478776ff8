import { iso } from "../../../../core/dates.js";
import { notFound } from "../../../../core/errors.js";
import type { World } from "../../../../world.js";
import { MESSAGING } from "../../host.js";
import type { Failure } from "../../../../reviews/rules.js";

export const BRANDS = "brand_registrations";
export const BRAND_OTPS = "brand_otps";

export type BrandStatus =
  | "PENDING"
  | "APPROVED"
  | "FAILED"
  | "IN_REVIEW"
  | "DELETION_PENDING"
  | "DELETION_FAILED"
  | "SUSPENDED";
export type IdentityStatus = "SELF_DECLARED" | "UNVERIFIED" | "VERIFIED" | "VETTED_VERIFIED";

export interface BrandError {
  url: string;
  error_code: number;
  description: string;
  fields: string[];
}

export interface Brand {
  sid: string;
  account_sid: string;
  customer_profile_bundle_sid: string;
  a2p_profile_bundle_sid: string;
  brand_type: "STANDARD" | "SOLE_PROPRIETOR";
  status: BrandStatus;
  tcr_id: string | null;
  failure_reason: string | null;
  errors: BrandError[];
  brand_score: number | null;
  brand_feedback: string[] | null;
  identity_status: IdentityStatus | null;
  russell_3000: boolean | null;
  government_entity: boolean | null;
  tax_exempt_status: string | null;
  skip_automatic_sec_vet: boolean;
  mock: boolean;
  /** A standard brand stays PENDING while its bundles are still under Trust Hub review. */
  waiting_for_bundles?: boolean;
  /** Sole proprietors: the OTP mobile number, counted against TCR's 3-brand limit once accepted. */
  mobile?: string | null;
  mobile_counted?: boolean;
  date_created: number;
  date_updated: number;
}

export const errorUrl = (code: number) => `https://www.twilio.com/docs/api/errors/${code}`;

export function brandErrors(failures: Failure[]): BrandError[] {
  return failures.map((f) => ({
    url: errorUrl(f.code),
    error_code: f.code,
    description: f.reason,
    fields: f.fields,
  }));
}

export function renderBrand(b: Brand) {
  const url = `${MESSAGING}/a2p/BrandRegistrations/${b.sid}`;
  return {
    sid: b.sid,
    account_sid: b.account_sid,
    customer_profile_bundle_sid: b.customer_profile_bundle_sid,
    a2p_profile_bundle_sid: b.a2p_profile_bundle_sid,
    date_created: iso(b.date_created),
    date_updated: iso(b.date_updated),
    brand_type: b.brand_type,
    status: b.status,
    tcr_id: b.tcr_id,
    failure_reason: b.failure_reason,
    errors: b.errors,
    url,
    brand_score: b.brand_score,
    brand_feedback: b.brand_feedback,
    identity_status: b.identity_status,
    russell_3000: b.russell_3000,
    government_entity: b.government_entity,
    tax_exempt_status: b.tax_exempt_status,
    skip_automatic_sec_vet: b.skip_automatic_sec_vet,
    mock: b.mock,
    links: { brand_vettings: `${url}/Vettings`, brand_registration_otps: `${url}/SmsOtp` },
  };
}

export function ownBrand(world: World, accountSid: string, sid: string): Brand {
  const b = world.store.get<Brand>(BRANDS, sid);
  if (!b || b.account_sid !== accountSid) throw notFound(`BrandRegistration ${sid}`);
  return b;
}

export function patchBrand(world: World, sid: string, changes: Partial<Brand>) {
  return world.store.patch<Brand>(BRANDS, sid, { ...changes, date_updated: world.clock.now() })!;
}

/** TCR identifiers: seven characters, B… for brands and C… for campaigns (sole proprietor walkthrough). */
export function tcrId(letter: "B" | "C", sid: string) {
  return (
    letter +
    sid
      .slice(2, 8)
      .toUpperCase()
      .replace(/[^0-9A-Z]/g, "X")
  );
}
