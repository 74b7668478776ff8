import { notFound } from "../../../../../core/errors.js";
import type { Router } from "../../../../../http/router.js";
import { BRANDS, type Brand } from "../../../a2p/brand-registrations/model.js";
import { ownService } from "./model.js";

/**
 * A2P campaign use cases, as Twilio's Usecases catalogue lists them (spec example
 * fetchWithBrandRegistrationSid), plus SOLE_PROPRIETOR, the only use case of a sole proprietor
 * brand (sole proprietor walkthrough, step 5.1).
 */
export interface UseCase {
  code: string;
  name: string;
  description: string;
  post_approval_required: boolean;
}

const u = (code: string, name: string, description: string, post_approval_required = false): UseCase => ({
  code,
  name,
  description,
  post_approval_required,
});

export const STANDARD_USE_CASES: UseCase[] = [
  u(
    "2FA",
    "Two-Factor authentication (2FA)",
    "Two-Factor authentication, one-time use password, password reset",
  ),
  u(
    "ACCOUNT_NOTIFICATION",
    "Account Notification",
    "All reminders, alerts, and notifications. (Examples include: flight delayed, hotel booked, appointment reminders.)",
  ),
  u(
    "AGENTS_FRANCHISES",
    "Agents and Franchises",
    "For brands that have multiple agents, franchises or offices in the same brand vertical, but require individual localised numbers per agent/location/office.",
    true,
  ),
  u("CHARITY", "Charity", "Includes:  5013C Charity\nDoes not include: Religious organizations"),
  u(
    "PROXY",
    "Proxy",
    "Peer-to-peer app-based group messaging with proxy/pooled numbers (For example: GroupMe)\nSupporting personalized services and non-exposure of personal numbers for enterprise or A2P communications. (Examples include: Uber and AirBnb.)",
    true,
  ),
  u(
    "CUSTOMER_CARE",
    "Customer Care",
    "All customer care messaging, including account management and support",
  ),
  u(
    "DELIVERY_NOTIFICATION",
    "Delivery Notification",
    "Information about the status of the delivery of a product or service",
  ),
  u(
    "EMERGENCY",
    "Emergency",
    "Notification services designed to support public safety / health during natural disasters, armed conflicts, pandemics and other national or regional emergencies",
    true,
  ),
  u("FRAUD_ALERT", "Fraud Alert Messaging", "Fraud alert notification"),
  u(
    "HIGHER_EDUCATION",
    "Higher Education",
    'For campaigns created on behalf of Colleges or Universities and will also include School Districts etc that fall outside of any "free to the consumer" messaging model',
  ),
  u(
    "K12_EDUCATION",
    "K-12 Education",
    "Campaigns created for messaging platforms that support schools from grades K-12 and distance learning centers. This is not for Post-Secondary schools.",
    true,
  ),
  u(
    "LOW_VOLUME",
    "Low Volume Mixed",
    "Low throughput, any combination of use-cases. Examples include:  test, demo accounts",
  ),
  u("MARKETING", "Marketing", "Any communication with marketing and/or promotional content"),
  u("MIXED", "Mixed", "Mixed messaging reserved for specific consumer service industry"),
  u(
    "POLITICAL",
    "Political",
    "Part of organized effort to influence decision making of specific group. All campaigns to be verified",
  ),
  u("POLLING_VOTING", "Polling and voting", "Polling and voting"),
  u(
    "PUBLIC_SERVICE_ANNOUNCEMENT",
    "Public Service Announcement",
    "An informational message that is meant to raise the audience awareness about an important issue",
  ),
  u(
    "SECURITY_ALERT",
    "Security Alert",
    "A notification that the security of a system, either software or hardware, has been compromised in some way and there is an action you need to take",
  ),
  u(
    "SOCIAL",
    "Social",
    "Communication within or between closed communities (For example: influencers alerts)",
    true,
  ),
  u("SWEEPSTAKE", "Sweepstake", "Sweepstake", true),
];

export const SOLE_PROPRIETOR_USE_CASE = u(
  "SOLE_PROPRIETOR",
  "Sole Proprietor",
  "Limited to sole proprietor brands without an EIN; one campaign per brand, one phone number per campaign",
);

export function useCasesFor(brandType: string | undefined): UseCase[] {
  if (brandType === "SOLE_PROPRIETOR") return [SOLE_PROPRIETOR_USE_CASE];
  return STANDARD_USE_CASES;
}

export const isUseCase = (code: string) =>
  code === SOLE_PROPRIETOR_USE_CASE.code || STANDARD_USE_CASES.some((c) => c.code === code);

export function registerUsa2pUsecases(r: Router) {
  const base = "/messaging/v1/Services/:ServiceSid/Compliance/Usa2p";
  r.get(`${base}/Usecases`, ({ world, account, params, input }) => {
    ownService(world, account.sid, params.ServiceSid);
    const brandSid = input.str("BrandRegistrationSid");
    const brand = brandSid ? world.store.get<Brand>(BRANDS, brandSid) : undefined;
    if (brandSid && (!brand || brand.account_sid !== account.sid))
      throw notFound(`BrandRegistration ${brandSid}`);
    return { status: 200, body: { us_app_to_person_usecases: useCasesFor(brand?.brand_type) } };
  });
}
