import { iso } from "../../../core/dates.js";
import { notFound } from "../../../core/errors.js";
import type { World } from "../../../world.js";
import { NUMBERS_V2 } from "./catalog.js";

/**
 * Regulatory Compliance state (numbers v2). Collections are apart from Trust Hub's: Twilio keeps
 * the two products' end users, documents and bundles apart too.
 */
export const RC_BUNDLES = "regulatory_bundles";
export const RC_END_USERS = "regulatory_end_users";
export const RC_DOCUMENTS = "regulatory_supporting_documents";
export const RC_ITEM_ASSIGNMENTS = "regulatory_item_assignments";
export const RC_EVALUATIONS = "regulatory_evaluations";

export type RcBundleStatus =
  | "draft"
  | "pending-review"
  | "in-review"
  | "twilio-rejected"
  | "twilio-approved"
  | "provisionally-approved";
export const RC_BUNDLE_STATUSES: RcBundleStatus[] = [
  "draft",
  "pending-review",
  "in-review",
  "twilio-rejected",
  "twilio-approved",
  "provisionally-approved",
];

export interface RcBundle {
  sid: string;
  account_sid: string;
  regulation_sid: string;
  friendly_name: string;
  email: string;
  status_callback: string | null;
  status: RcBundleStatus;
  valid_until: number | null;
  /** Why the last review rejected it (the callback's FailureReason); not a field of the resource. */
  failure_reason: string | null;
  date_created: number;
  date_updated: number;
}

export interface RcItem {
  sid: string;
  account_sid: string;
  friendly_name: string;
  type: string;
  attributes: Record<string, unknown>;
  date_created: number;
  date_updated: number;
}

export type RcDocumentStatus =
  | "draft"
  | "pending-review"
  | "rejected"
  | "approved"
  | "expired"
  | "provisionally-approved";

export interface RcDocument extends RcItem {
  mime_type: string | null;
  status: RcDocumentStatus;
  failure_reason: string | null;
  errors: { code: number; message: string }[] | null;
}

export interface RcItemAssignment {
  sid: string;
  bundle_sid: string;
  account_sid: string;
  object_sid: string;
  date_created: number;
}

export interface RcEvaluation {
  sid: string;
  bundle_sid: string;
  account_sid: string;
  regulation_sid: string;
  status: "compliant" | "noncompliant";
  results: unknown[];
  date_created: number;
}

export const bundleUrl = (sid: string) => `${NUMBERS_V2}/Bundles/${sid}`;

export function renderRcBundle(b: RcBundle) {
  const url = bundleUrl(b.sid);
  return {
    sid: b.sid,
    account_sid: b.account_sid,
    regulation_sid: b.regulation_sid,
    friendly_name: b.friendly_name,
    status: b.status,
    valid_until: iso(b.valid_until),
    email: b.email,
    status_callback: b.status_callback,
    date_created: iso(b.date_created),
    date_updated: iso(b.date_updated),
    url,
    links: {
      evaluations: `${url}/Evaluations`,
      item_assignments: `${url}/ItemAssignments`,
      bundle_copies: `${url}/Copies`,
    },
  };
}

/** A bundle of the account, or 20404 (another account's bundle does not exist for it). */
export function ownRcBundle(world: World, accountSid: string, sid: string): RcBundle {
  const b = world.store.get<RcBundle>(RC_BUNDLES, sid);
  if (!b || b.account_sid !== accountSid) throw notFound(`Bundle ${sid}`);
  return b;
}

export function assignedTo(world: World, bundleSid: string) {
  const sids = world.store
    .list<RcItemAssignment>(RC_ITEM_ASSIGNMENTS, (a) => a.bundle_sid === bundleSid)
    .map((a) => a.object_sid);
  return {
    endUsers: sids.map((s) => world.store.get<RcItem>(RC_END_USERS, s)).filter((x): x is RcItem => !!x),
    documents: sids
      .map((s) => world.store.get<RcDocument>(RC_DOCUMENTS, s))
      .filter((x): x is RcDocument => !!x),
  };
}
