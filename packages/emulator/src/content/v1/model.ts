import { iso } from "../../core/dates.js";
import { TwilioError, notFound } from "../../core/errors.js";
import type { World } from "../../world.js";

export const CONTENTS = "contents";
export const HOST = "https://content.twilio.com/v1";

export const CONTENT_TYPES = [
  "twilio/text",
  "twilio/media",
  "twilio/location",
  "twilio/list-picker",
  "twilio/call-to-action",
  "twilio/quick-reply",
  "twilio/card",
  "twilio/catalog",
  "twilio/carousel",
  "twilio/flows",
  "twilio/schedule",
  "whatsapp/card",
  "whatsapp/authentication",
  "whatsapp/flows",
] as const;

export const CATEGORIES = ["UTILITY", "MARKETING", "AUTHENTICATION"] as const;
export type Category = (typeof CATEGORIES)[number];
export type ApprovalStatus = "received" | "pending" | "approved" | "rejected";

export interface Approval {
  name: string;
  category: Category;
  content_type: string;
  status: ApprovalStatus;
  rejection_reason: string;
  allow_category_change: boolean;
  date_submitted: number;
}

/** The agreed `contents` document (the messaging area reads `approval.status` and `types`). */
export interface Content {
  sid: string;
  account_sid: string;
  friendly_name: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
  approval: Approval | null;
  date_created: number;
  date_updated: number;
}

export const badRequest = (message: string) => new TwilioError(20001, 400, message);

export function ownContent(world: World, accountSid: string, sid: string): Content {
  const c = world.store.get<Content>(CONTENTS, sid);
  if (!c || c.account_sid !== accountSid) throw notFound("Content");
  return c;
}

/** The type an approval is about: the first one declared (WhatsApp approves one type per template). */
export function primaryType(c: Pick<Content, "types">): string {
  return Object.keys(c.types)[0] ?? "";
}

export function renderContent(c: Content) {
  const url = `${HOST}/Content/${c.sid}`;
  return {
    date_created: iso(c.date_created),
    date_updated: iso(c.date_updated),
    sid: c.sid,
    account_sid: c.account_sid,
    friendly_name: c.friendly_name,
    language: c.language,
    variables: c.variables,
    types: c.types,
    url,
    links: { approval_create: `${url}/ApprovalRequests/whatsapp`, approval_fetch: `${url}/ApprovalRequests` },
  };
}

/** The approval as the API shows it; "unsubmitted" with empty strings before any submission. */
export function renderApproval(c: Content) {
  const a = c.approval;
  return {
    name: a?.name ?? "",
    category: a?.category ?? "",
    content_type: a?.content_type ?? "",
    status: a?.status ?? "unsubmitted",
    rejection_reason: a?.rejection_reason ?? "",
    allow_category_change: a?.allow_category_change ?? true,
  };
}
