/**
 * The keyword replies a registration declares (pure): the 10DLC campaign's `OptInMessage`,
 * `OptOutMessage`, `HelpMessage` and keyword lists, the toll-free verification's
 * `OptInConfirmationMessage`, `HelpMessageSample` and `OptInKeywords`.
 *
 * When the document does not give them, they are derived from the tenant's own data: the brand
 * (sole proprietor `brand_name`; a business's `doing_business_as`, else its legal name without
 * "LLC", "Inc."…) and a support contact (the business's website, else the e-mail), in the form
 * CTIA's handbook and TCR's reviewers ask for: the brand first, what happened, how to get help,
 * how to opt out, "Msg&data rates may apply". Keyword lists default to Twilio's own default
 * keywords (./keywords.ts), which are the ones that work on the number. The derived texts pass
 * the registration rules (./rules/campaign.ts, ./rules/toll-free.ts); a brand too long for them
 * is cut at a word boundary.
 */
import { DEFAULT_KEYWORDS, type KeywordKind } from "../keywords.js";
import type { Campaign, RegistrationDocument, TollFreeDetails } from "./document.js";
import { brandNames } from "./rules/business.js";
import { record, text } from "./rules/finding.js";

export interface CampaignReplies {
  opt_in_message: string;
  opt_out_message: string;
  help_message: string;
  opt_in_keywords: string[];
  opt_out_keywords: string[];
  help_keywords: string[];
}

/** The name the recipient knows the sender by, from the registration's own data. */
export function brandOf(doc: unknown): string | null {
  const d = record(doc);
  const business = record(d.business);
  if (d.kind === "sole_proprietor") return text(business.brand_name) ?? null;
  const dba = d.kind === "toll_free" ? text(record(d.toll_free).doing_business_as) : undefined;
  if (dba) return dba;
  const kind = d.kind === "toll_free" ? "toll_free" : "standard";
  return brandNames(kind, business)[0] ?? null;
}

/** Where a recipient gets help: the business's website (without its scheme), else an e-mail. */
export function supportContactOf(doc: unknown): string | null {
  const d = record(doc);
  const business = record(d.business);
  const site = text(business.website);
  if (site) return site.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  return text(business.email) ?? text(record(business.contact).email) ?? null;
}

/** At most `max` characters, cut at a word boundary. */
function fit(value: string, max: number): string {
  if ([...value].length <= max) return value;
  const cut = [...value].slice(0, max).join("");
  const space = cut.lastIndexOf(" ");
  return (space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:-]+$/, "");
}

/**
 * The branded texts: `brand` names the sender (without one, as for a document the rules refuse
 * anyway, the texts start without it), `contact` is where help is.
 */
export function brandedReplies(brand: string | null, contact: string | null): Record<KeywordKind, string> {
  // The longest fixed part is the opt-in text (about 120 characters); the brand gets at most 120.
  const name = brand?.trim() ? `${fit(brand.trim(), 120)}: ` : "";
  const helpAt = contact ? `Help at ${fit(contact, 80)}. ` : "";
  return {
    opt_in: `${name}You are subscribed to messages. Msg frequency varies. Msg&data rates may apply. Reply HELP for help, STOP to opt out.`,
    opt_out: `${name}You are unsubscribed and will receive no more messages. Reply START to resubscribe.`,
    help: `${name}${helpAt}Msg&data rates may apply. Reply STOP to opt out.`,
  };
}

/** The replies a 10DLC registration declares: the document's own, derived where it has none. */
export function campaignReplies(doc: unknown): CampaignReplies | null {
  const d = record(doc);
  if (d.kind === "toll_free" || typeof d.campaign !== "object" || d.campaign === null) return null;
  const campaign = record(d.campaign);
  const derived = brandedReplies(brandOf(doc), supportContactOf(doc));
  const list = (field: string, kind: KeywordKind) => {
    const given = Array.isArray(campaign[field]) ? (campaign[field] as unknown[]) : [];
    return given.length > 0 ? given.map(String) : [...DEFAULT_KEYWORDS[kind]];
  };
  const message = (field: string, kind: KeywordKind) => text(campaign[field]) ?? derived[kind];
  return {
    opt_in_message: message("opt_in_message", "opt_in"),
    opt_out_message: message("opt_out_message", "opt_out"),
    help_message: message("help_message", "help"),
    opt_in_keywords: list("opt_in_keywords", "opt_in"),
    opt_out_keywords: list("opt_out_keywords", "opt_out"),
    help_keywords: list("help_keywords", "help"),
  };
}

/** The toll-free verification's reply fields: the document's own, derived where it has none. */
export function tollFreeReplies(
  doc: unknown,
): Pick<TollFreeDetails, "opt_in_confirmation_message" | "help_message_sample" | "opt_in_keywords"> | null {
  const d = record(doc);
  if (d.kind !== "toll_free") return null;
  const details = record(d.toll_free);
  const derived = brandedReplies(brandOf(doc), supportContactOf(doc));
  const keywords = Array.isArray(details.opt_in_keywords) ? details.opt_in_keywords.map(String) : [];
  return {
    opt_in_confirmation_message: text(details.opt_in_confirmation_message) ?? derived.opt_in,
    help_message_sample: text(details.help_message_sample) ?? derived.help,
    opt_in_keywords: keywords.length > 0 ? keywords : [...DEFAULT_KEYWORDS.opt_in],
  };
}

/**
 * The document as it is submitted to Twilio: the reply fields it leaves out filled in
 * (`campaignReplies`, `tollFreeReplies`). Everything else is untouched; a document of an unknown
 * kind is returned as it is.
 */
export function withDeclaredReplies<T>(doc: T): T {
  const d = record(doc);
  const campaign = campaignReplies(doc);
  if (campaign) return { ...d, campaign: { ...(d.campaign as Campaign), ...campaign } } as T;
  const tollFree = tollFreeReplies(doc);
  if (tollFree) return { ...d, toll_free: { ...(d.toll_free as TollFreeDetails), ...tollFree } } as T;
  return doc;
}

/** The three texts a registration declares, by keyword kind (what Subtext answers by default). */
export function declaredReplies(doc: RegistrationDocument | unknown): Partial<Record<KeywordKind, string>> {
  const campaign = campaignReplies(doc);
  if (campaign)
    return {
      opt_in: campaign.opt_in_message,
      opt_out: campaign.opt_out_message,
      help: campaign.help_message,
    };
  const tollFree = tollFreeReplies(doc);
  if (!tollFree) return {};
  return {
    opt_in: tollFree.opt_in_confirmation_message,
    help: tollFree.help_message_sample,
    opt_out: brandedReplies(brandOf(doc), null).opt_out,
  };
}

/** The keyword lists a registration declares beyond Twilio's defaults (those Twilio does not answer). */
export function declaredExtraKeywords(doc: unknown): Partial<Record<KeywordKind, string[]>> {
  const extra = (kind: KeywordKind, list: readonly string[] | undefined) =>
    (list ?? []).map((k) => k.trim().toUpperCase()).filter((k) => k && !DEFAULT_KEYWORDS[kind].includes(k));
  const campaign = campaignReplies(doc);
  if (campaign)
    return {
      opt_in: extra("opt_in", campaign.opt_in_keywords),
      opt_out: extra("opt_out", campaign.opt_out_keywords),
      help: extra("help", campaign.help_keywords),
    };
  const tollFree = tollFreeReplies(doc);
  return tollFree ? { opt_in: extra("opt_in", tollFree.opt_in_keywords) } : {};
}
