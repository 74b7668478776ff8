import { iso } from "../../core/dates.js";
import { notFound } from "../../core/errors.js";
import type { World } from "../../world.js";

/** Trust Hub state. Collection names are part of the emulator's shared vocabulary (see reviews.md). */
export const BUNDLES = "trusthub_bundles";
export const END_USERS = "trusthub_end_users";
export const SUPPORTING_DOCUMENTS = "trusthub_supporting_documents";
export const ENTITY_ASSIGNMENTS = "trusthub_entity_assignments";
export const EVALUATIONS = "trusthub_evaluations";
export const CHANNEL_ENDPOINT_ASSIGNMENTS = "trusthub_channel_endpoint_assignments";

export const TRUSTHUB = "https://trusthub.twilio.com/v1";

export type BundleKind = "customer_profile" | "trust_product";
export type BundleStatus = "draft" | "pending-review" | "in-review" | "twilio-rejected" | "twilio-approved";
export const BUNDLE_STATUSES: BundleStatus[] = [
  "draft",
  "pending-review",
  "in-review",
  "twilio-rejected",
  "twilio-approved",
];

/** A CustomerProfile or a TrustProduct: both are "bundles" (BU) that differ only in their paths. */
export interface Bundle {
  sid: string;
  account_sid: string;
  kind: BundleKind;
  policy_sid: string;
  friendly_name: string;
  email: string;
  status_callback: string | null;
  status: BundleStatus;
  valid_until: number | null;
  /** `[{code, message}]` once rejected (Twilio's 186xx profile codes), null otherwise. */
  errors: { code: number; message: string }[] | null;
  failure_reason: string | null;
  /** Starter and sole-proprietor bundles pass review but wait for the brand's OTP (walkthrough 1.8, 2.6). */
  review_passed?: boolean;
  date_created: number;
  date_updated: number;
}

export interface EndUser {
  sid: string;
  account_sid: string;
  friendly_name: string;
  type: string;
  attributes: Record<string, unknown>;
  date_created: number;
  date_updated: number;
}

export interface SupportingDocument {
  sid: string;
  account_sid: string;
  friendly_name: string;
  type: string;
  attributes: Record<string, unknown>;
  status: "DRAFT" | "PENDING_REVIEW" | "REJECTED" | "APPROVED" | "EXPIRED" | "PROVISIONALLY_APPROVED";
  date_created: number;
  date_updated: number;
}

export interface EntityAssignment {
  sid: string;
  bundle_sid: string;
  account_sid: string;
  object_sid: string;
  date_created: number;
}

export interface Evaluation {
  sid: string;
  bundle_sid: string;
  account_sid: string;
  policy_sid: string;
  status: "compliant" | "noncompliant";
  results: unknown[];
  date_created: number;
}

export interface ChannelEndpointAssignment {
  sid: string;
  bundle_sid: string;
  account_sid: string;
  channel_endpoint_type: string;
  channel_endpoint_sid: string;
  date_created: number;
}

/** Path segment and field names that differ between the two bundle kinds. */
export const KINDS: Record<BundleKind, { path: string; prefix: string; sidField: string }> = {
  customer_profile: {
    path: "CustomerProfiles",
    prefix: "customer_profiles",
    sidField: "customer_profile_sid",
  },
  trust_product: { path: "TrustProducts", prefix: "trust_products", sidField: "trust_product_sid" },
};

export function bundleUrl(b: Pick<Bundle, "sid" | "kind">) {
  return `${TRUSTHUB}/${KINDS[b.kind].path}/${b.sid}`;
}

export function renderBundle(b: Bundle) {
  const url = bundleUrl(b);
  const { prefix } = KINDS[b.kind];
  return {
    sid: b.sid,
    account_sid: b.account_sid,
    policy_sid: b.policy_sid,
    friendly_name: b.friendly_name,
    status: b.status,
    valid_until: iso(b.valid_until),
    email: b.email,
    status_callback: b.status_callback,
    date_created: iso(b.date_created),
    date_updated: iso(b.date_updated),
    url,
    links: {
      [`${prefix}_entity_assignments`]: `${url}/EntityAssignments`,
      [`${prefix}_evaluations`]: `${url}/Evaluations`,
      [`${prefix}_channel_endpoint_assignment`]: `${url}/ChannelEndpointAssignments`,
    },
    errors: b.errors,
  };
}

/** A bundle of the given kind owned by the account, or 20404 (a sibling's bundle does not exist). */
export function ownBundle(world: World, accountSid: string, kind: BundleKind, sid: string): Bundle {
  const b = world.store.get<Bundle>(BUNDLES, sid);
  if (!b || b.account_sid !== accountSid || b.kind !== kind) throw notFound(`${KINDS[kind].path} ${sid}`);
  return b;
}

export function assignmentsOf(world: World, bundleSid: string) {
  return world.store.list<EntityAssignment>(ENTITY_ASSIGNMENTS, (a) => a.bundle_sid === bundleSid);
}

export function latestEvaluation(world: World, bundleSid: string): Evaluation | undefined {
  const all = world.store.list<Evaluation>(EVALUATIONS, (e) => e.bundle_sid === bundleSid);
  return all[all.length - 1];
}
