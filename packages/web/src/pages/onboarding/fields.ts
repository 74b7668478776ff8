/**
 * The registration forms as data: each field's document path (the same paths the validation
 * findings use, e.g. "campaign.message_samples[1]"), its label and input. Option lists come
 * from the server's own catalog (pure data), so the form and the rules never disagree.
 */
import {
  A2P_USE_CASES,
  BUSINESS_INDUSTRIES,
  BUSINESS_TYPES,
  TOLL_FREE_MESSAGE_VOLUMES,
  TOLL_FREE_OPT_IN_TYPES,
  TOLL_FREE_USE_CASE_CATEGORIES,
} from "@subtext/telecom/registration/rules/catalog";

export type Kind = "standard" | "low_volume_standard" | "sole_proprietor" | "toll_free";

export interface FieldDef {
  path: string;
  label: string;
  type?: "text" | "email" | "tel" | "url" | "textarea" | "select" | "checkbox" | "list" | "multiselect";
  options?: readonly string[];
  help?: string;
  optional?: boolean;
  /** For lists: how many inputs to show at least / at most. */
  min?: number;
  max?: number;
}

export interface Section {
  title: string;
  fields: FieldDef[];
}

const address = (prefix: string): FieldDef[] => [
  { path: `${prefix}.street`, label: "Street" },
  { path: `${prefix}.street_secondary`, label: "Suite, unit", optional: true },
  { path: `${prefix}.city`, label: "City" },
  { path: `${prefix}.region`, label: "State / province", help: "Two-letter code, e.g. CA" },
  { path: `${prefix}.postal_code`, label: "Postal code" },
  {
    path: `${prefix}.iso_country`,
    label: "Country",
    help: "Two-letter code: US or CA",
    type: "select",
    options: ["US", "CA"],
  },
];

const soleProprietor: Section[] = [
  {
    title: "The person",
    fields: [
      { path: "business.first_name", label: "First name" },
      { path: "business.last_name", label: "Last name" },
      { path: "business.email", label: "Email", type: "email" },
      { path: "business.phone_number", label: "Phone", type: "tel", help: "E.164, e.g. +14155550123" },
      {
        path: "business.mobile_phone_number",
        label: "Mobile phone (receives the verification text)",
        type: "tel",
        help: "A US or Canadian mobile; it will be asked to reply YES",
      },
      {
        path: "business.brand_name",
        label: "Brand name",
        help: "The name customers know, used in every message",
      },
      {
        path: "business.vertical",
        label: "Vertical",
        type: "select",
        options: BUSINESS_INDUSTRIES,
        optional: true,
      },
    ],
  },
  { title: "Address", fields: address("business.address") },
];

const organization = (taxIdOptional: boolean): Section[] => [
  {
    title: "The business",
    fields: [
      {
        path: "business.legal_name",
        label: "Legal name",
        help: "Exactly as on the tax registration (IRS CP-575 in the US)",
      },
      {
        path: "business.tax_id",
        label: "Tax id (EIN / BN)",
        help: "US EIN: 12-3456789",
        optional: taxIdOptional,
      },
      {
        path: "business.tax_id_country",
        label: "Tax id country",
        type: "select",
        options: ["US", "CA"],
        optional: taxIdOptional,
      },
      { path: "business.business_type", label: "Business type", type: "select", options: BUSINESS_TYPES },
      { path: "business.business_industry", label: "Industry", type: "select", options: BUSINESS_INDUSTRIES },
      {
        path: "business.website",
        label: "Website",
        type: "url",
        help: "Public, with the privacy policy and terms",
      },
    ],
  },
  { title: "Address", fields: address("business.address") },
  {
    title: "Authorized contact",
    fields: [
      { path: "business.contact.first_name", label: "First name" },
      { path: "business.contact.last_name", label: "Last name" },
      { path: "business.contact.email", label: "Email", type: "email", help: "On the business's own domain" },
      {
        path: "business.contact.phone_number",
        label: "Phone",
        type: "tel",
        help: "E.164, e.g. +14155550123",
      },
      { path: "business.contact.job_title", label: "Job title" },
    ],
  },
];

const campaign = (useCases: readonly string[]): Section => ({
  title: "Campaign",
  fields: [
    { path: "campaign.use_case", label: "Use case", type: "select", options: useCases },
    {
      path: "campaign.description",
      label: "What the messages are for",
      type: "textarea",
      help: "40–4096 characters: who sends what to whom, and why",
    },
    {
      path: "campaign.message_flow",
      label: "How people opt in",
      type: "textarea",
      help: "40–2048 characters: where and how consent is given, with links to terms and privacy policy",
    },
    {
      path: "campaign.message_samples",
      label: "Sample messages",
      type: "list",
      min: 2,
      max: 5,
      help: "2–5 samples of 20–1024 characters; name the brand; mark variables like [order_id]",
    },
    { path: "campaign.has_embedded_links", label: "Messages contain links", type: "checkbox" },
    { path: "campaign.has_embedded_phone", label: "Messages contain phone numbers", type: "checkbox" },
  ],
});

const tollFree: Section = {
  title: "Toll-free verification",
  fields: [
    {
      path: "toll_free.use_case_categories",
      label: "Use case categories",
      type: "multiselect",
      options: TOLL_FREE_USE_CASE_CATEGORIES,
    },
    { path: "toll_free.use_case_summary", label: "Use case summary", type: "textarea" },
    { path: "toll_free.production_message_sample", label: "Sample message", type: "textarea" },
    { path: "toll_free.opt_in_type", label: "Opt-in type", type: "select", options: TOLL_FREE_OPT_IN_TYPES },
    {
      path: "toll_free.opt_in_image_urls",
      label: "Opt-in proof (image or page URLs)",
      type: "list",
      min: 1,
      max: 5,
      help: "Publicly reachable screenshots of where consent is collected",
    },
    {
      path: "toll_free.message_volume",
      label: "Monthly volume",
      type: "select",
      options: TOLL_FREE_MESSAGE_VOLUMES,
    },
    { path: "toll_free.notification_email", label: "Email for verification updates", type: "email" },
  ],
};

export function sectionsFor(kind: Kind): Section[] {
  switch (kind) {
    case "sole_proprietor":
      return [...soleProprietor, campaign(["SOLE_PROPRIETOR"])];
    case "toll_free":
      return [...organization(true), tollFree];
    default:
      return [...organization(false), campaign(A2P_USE_CASES.filter((u) => u !== "SOLE_PROPRIETOR"))];
  }
}

/** A fresh document for a kind, with the values the form cannot leave blank. */
export function emptyDocument(kind: Kind): Record<string, any> {
  const address = { iso_country: "US" };
  if (kind === "sole_proprietor") {
    return {
      kind,
      business: { address },
      campaign: {
        use_case: "SOLE_PROPRIETOR",
        message_samples: ["", ""],
        has_embedded_links: false,
        has_embedded_phone: false,
      },
    };
  }
  const business = { address, contact: {}, tax_id_country: "US" };
  if (kind === "toll_free")
    return { kind, business, toll_free: { use_case_categories: [], opt_in_image_urls: [""] } };
  return {
    kind,
    business,
    campaign: { message_samples: ["", ""], has_embedded_links: false, has_embedded_phone: false },
  };
}

const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;

function parts(path: string): (string | number)[] {
  return [...path.matchAll(SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

export function getIn(doc: any, path: string): any {
  return parts(path).reduce((v, k) => (v == null ? undefined : v[k]), doc);
}

/** A copy of `doc` with `path` set (objects and arrays created as needed). */
export function setIn(doc: any, path: string, value: unknown): any {
  const keys = parts(path);
  const root = structuredClone(doc);
  let cur = root;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) cur[k] = value;
    else {
      if (cur[k] == null) cur[k] = typeof keys[i + 1] === "number" ? [] : {};
      cur = cur[k];
    }
  });
  return root;
}

/** What is sent: blanks dropped (so a missing field reads "required", not "too short"). */
export function cleanDocument(doc: any): any {
  if (Array.isArray(doc))
    return doc.filter((v) => !(typeof v === "string" && v.trim() === "")).map(cleanDocument);
  if (doc && typeof doc === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) {
      if (typeof v === "string" && v.trim() === "") continue;
      out[k] = cleanDocument(v);
    }
    return out;
  }
  return doc;
}

/** The field a finding belongs to: its own path, an array element's list, or null (shown apart). */
export function fieldOfFinding(findingPath: string, fields: FieldDef[]): string | null {
  const exact = fields.find((f) => f.path === findingPath);
  if (exact) return exact.path;
  const list = fields.find((f) => findingPath.startsWith(`${f.path}[`));
  return list ? list.path : null;
}
