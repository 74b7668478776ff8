/**
 * Pure predicates over submitted registration data. rules.ts turns them into review outcomes;
 * Trust Hub's evaluations use the format checks. Every list here is deliberately small and
 * documented in docs/reviews.md so a test (or a user) can trigger each outcome on purpose.
 */

export const isEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/.test(s.trim());
export const isE164 = (s: string) => /^\+[1-9]\d{6,14}$/.test(s.trim());
/** A US or Canadian number: +1, area code and exchange not starting with 0 or 1 (NANP). */
export const isNanp = (s: string) => /^\+1[2-9]\d{2}[2-9]\d{6}$/.test(s.trim());

/** Temporary-mail providers (a sample of the lists TCR's and SendGrid's checks use). */
export const DISPOSABLE_EMAIL_DOMAINS = [
  "mailinator.com",
  "guerrillamail.com",
  "10minutemail.com",
  "tempmail.com",
  "temp-mail.org",
  "yopmail.com",
  "trashmail.com",
  "sharklasers.com",
  "getnada.com",
  "maildrop.cc",
  "dispostable.com",
  "throwawaymail.com",
];
/** Reserved top-level domains (RFC 2606/6761) never resolve: "Unknown email domain". */
const RESERVED_TLDS = ["test", "example", "invalid", "localhost", "local"];

export type EmailProblem = "syntax" | "unknown" | "disposable";

/** Twilio's starter-profile email validation (walkthrough step 1.2): syntax, unknown domain, disposable. */
export function emailProblem(email: string): { kind: EmailProblem; reason: string } | null {
  if (!isEmail(email)) return { kind: "syntax", reason: "Email domain has an invalid address syntax." };
  const domain = email.trim().split("@")[1].toLowerCase();
  if (RESERVED_TLDS.includes(domain.split(".").pop() ?? ""))
    return { kind: "unknown", reason: "Unknown email domain." };
  if (DISPOSABLE_EMAIL_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`)))
    return { kind: "disposable", reason: "Email is a suspected disposable address." };
  return null;
}

/** A website reviewers could not visit: not http(s), localhost, an IP, a reserved or staging host. */
export function websiteProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z]+:\/\//i.test(url.trim()) ? url.trim() : `https://${url.trim()}`);
  } catch {
    return `${url} is not a valid URL`;
  }
  if (!["http:", "https:"].includes(parsed.protocol)) return `${url} is not a web address`;
  const host = parsed.hostname.toLowerCase();
  if (host === "localhost" || RESERVED_TLDS.includes(host.split(".").pop() ?? ""))
    return `${url} points to a local or reserved host`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("["))
    return `${url} is an IP address, not a domain`;
  if (/^(www\.)?example\.(com|org|net)$/.test(host)) return `${url} is a placeholder domain`;
  if (/(^|[.-])(staging|stage|dev|test|sandbox|preview)([.-]|$)/.test(host))
    return `${url} is a staging or test site`;
  if (!host.includes(".")) return `${url} is not a public domain`;
  return null;
}

/**
 * A US EIN TCR would not verify: not nine digits, all one digit, the never-issued 00 prefix, or
 * the placeholder 123456789 (so 00-0000000 and 12-3456789 are the documented "magic" bad EINs).
 */
export function einProblem(value: string): string | null {
  const digits = value.replace(/[-\s]/g, "");
  if (!/^\d{9}$/.test(digits)) return `EIN ${value} is not 9 digits`;
  if (/^(\d)\1{8}$/.test(digits)) return `EIN ${value} repeats a single digit`;
  if (digits.startsWith("00")) return `EIN ${value} uses the prefix 00, which the IRS never issues`;
  if (digits === "123456789") return `EIN ${value} is a placeholder`;
  return null;
}

const CORPORATE_SUFFIX = /\b(inc|incorporated|corp|corporation|co|company|ltd|limited)\.?$/i;
const LLC_SUFFIX = /\b(llc|l\.l\.c|limited liability company|ltd|limited)\.?$/i;

/** A legal name that cannot match the EIN record: a DBA, or a corporation/LLC without its suffix. */
export function legalNameProblem(name: string, businessType: string): string | null {
  const trimmed = name.trim();
  if (/\b(dba|d\/b\/a|doing business as)\b/i.test(trimmed))
    return `"${trimmed}" is a trade (DBA) name; submit the legal name on the EIN record`;
  if (/^corporation$/i.test(businessType) && !CORPORATE_SUFFIX.test(trimmed))
    return `"${trimmed}" lacks the corporate suffix (Inc., Corp.…) of the legal name`;
  if (/^limited liability corporation$/i.test(businessType) && !LLC_SUFFIX.test(trimmed))
    return `"${trimmed}" lacks the LLC suffix of the legal name`;
  return null;
}

export const US_STATES =
  "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split(
    " ",
  );
export const CA_PROVINCES = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split(" ");

export interface AddressFacts {
  sid: string;
  found: boolean;
  iso_country?: string;
  region?: string;
  postal_code?: string;
}

/** Twilio's address validation (walkthrough step 1.4), as far as it can be decided offline. */
export function addressProblem(
  a: AddressFacts,
  opts: { usOrCanadaOnly: boolean; format: boolean },
): { field: string; reason: string } | null {
  if (!a.found) return { field: "address_sids", reason: `Address not found with sid ${a.sid}` };
  const country = (a.iso_country ?? "").toUpperCase();
  if (opts.usOrCanadaOnly && country !== "US" && country !== "CA")
    return { field: "iso_country", reason: "The provided address is not a valid US or Canada address" };
  if (!opts.format) return null;
  const region = (a.region ?? "").trim().toUpperCase();
  const postal = (a.postal_code ?? "").trim();
  if (country === "US") {
    if (!/^\d{5}(-\d{4})?$/.test(postal))
      return { field: "postal_code", reason: `[${a.sid}] - Invalid Postal Code.` };
    if (!US_STATES.includes(region)) return { field: "region", reason: `[${a.sid}] - Invalid Region.` };
  }
  if (country === "CA") {
    if (!/^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i.test(postal))
      return { field: "postal_code", reason: `[${a.sid}] - Invalid Postal Code.` };
    if (!CA_PROVINCES.includes(region)) return { field: "region", reason: `[${a.sid}] - Invalid Region.` };
  }
  return null;
}

const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\u2018\u2019`´]/g, "'")
    .replace(/\s+/g, " ");

/** The words by which a message can name a brand: the full name and the name without its suffix. */
export function brandNames(names: (string | undefined | null)[]): string[] {
  const out = new Set<string>();
  for (const raw of names) {
    if (!raw?.trim()) continue;
    const full = normalize(raw.trim());
    out.add(full);
    const stem = full
      .replace(/[,.]/g, "")
      .replace(/\b(inc|incorporated|corp|corporation|co|company|llc|ltd|limited)$/i, "")
      .trim();
    if (stem.length >= 3) out.add(stem);
  }
  return [...out];
}

export const mentionsBrand = (text: string, names: string[]) =>
  names.some((n) => normalize(text).replace(/[,.]/g, "").includes(n.replace(/[,.]/g, "")));

export const wordCount = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;

/** How a consumer gives consent, in the words message flows use (walkthrough step 5.1, message_flow). */
const OPT_IN_WORDS =
  /\b(opt[- ]?in|opts in|opted in|consent|check ?box|checks? (a|the) box|sign[- ]?up|signs up|subscribe|web ?form|form|text(s|ing)? (start|join|yes|\w+ to)|keyword|verbal(ly)?|agree(s|ing)?|enroll|register(s)?)\b/i;
export const hasOptInMethod = (flow: string) => OPT_IN_WORDS.test(flow);

export const containsPhoneNumber = (text: string) =>
  /(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}/.test(text);

/** Content carriers forbid on A2P and toll-free traffic, with Twilio's toll-free rejection codes. */
const DISALLOWED: { pattern: RegExp; topic: string; tollfreeCode: number }[] = [
  { pattern: /\b(cannabis|marijuana|cbd|thc)\b/i, topic: "cannabis", tollfreeCode: 30897 },
  { pattern: /\b(crypto(currency)?|bitcoin|nft)\b/i, topic: "cryptocurrency", tollfreeCode: 30464 },
  {
    pattern: /\b(debt (relief|reduction|consolidation|forgiveness)|credit repair)\b/i,
    topic: "debt reduction",
    tollfreeCode: 30466,
  },
  { pattern: /\b(payday loans?|cash advance)\b/i, topic: "payday lending", tollfreeCode: 30897 },
];

export function disallowedTopic(text: string) {
  return DISALLOWED.find((d) => d.pattern.test(text)) ?? null;
}

export const hasInsecureUrl = (text: string) => /\bhttp:\/\//i.test(text);
