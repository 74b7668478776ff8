/**
 * Content a country blocks (`CONTENT_RULES` in `./messaging-rules.ts`), screened by terms
 * (`CATEGORY_TERMS`): whole words, case-insensitive, after NFKC normalization. URL shorteners
 * match as hosts. India's DLT rule needs no words: from a DLT-registered alphanumeric header only
 * an approved template is delivered, so a send without a template ID is refused.
 */
import { CATEGORY_TERMS, CONTENT_RULES, type ContentCategory } from "./messaging-rules.js";
import { type Confidence, type MessagePurpose, normalizeCountry } from "./sourced.js";

export interface ContentOptions {
  /** The sender the message goes out from, when known (the DLT rule binds alphanumeric IDs). */
  sender_kind?: "alphanumeric" | "long_code" | "short_code" | "toll_free";
  /** India: the DLT template the body was registered as. */
  dlt_template_id?: string;
}

export interface ContentViolation {
  rule_id: string;
  code: "content_blocked_in_country" | "url_shortener_blocked" | "dlt_template_required";
  category: ContentCategory;
  /** The text that matched, or null for a rule about the message as a whole. */
  matched: string | null;
  message: string;
  source: string;
  confidence: Confidence;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const patterns = new Map<ContentCategory, RegExp | null>();

function patternFor(category: Exclude<ContentCategory, "dlt_template">): RegExp | null {
  if (patterns.has(category)) return patterns.get(category)!;
  const terms = CATEGORY_TERMS[category];
  let pattern: RegExp | null = null;
  if (terms.length && category === "url_shortener") {
    // A host: not preceded by a letter, digit, dot or hyphen, followed by "/" or the end of the host.
    pattern = new RegExp(
      `(?<![\\p{L}\\p{N}.-])(?:${terms.map(escapeRegExp).join("|")})(?=/|[^\\p{L}\\p{N}.-]|$)`,
      "iu",
    );
  } else if (terms.length) {
    pattern = new RegExp(
      `(?<![\\p{L}\\p{N}])(?:${terms.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}])`,
      "iu",
    );
  }
  patterns.set(category, pattern);
  return pattern;
}

/** The country's content rules that `body` breaks, for `purpose`; empty when none. */
export function contentViolations(
  countryIso: string,
  body: string,
  purpose: MessagePurpose,
  options: ContentOptions = {},
): ContentViolation[] {
  const country = normalizeCountry(countryIso);
  const text = body.normalize("NFKC");
  const found: ContentViolation[] = [];
  for (const rule of CONTENT_RULES) {
    if (rule.country !== country) continue;
    if (rule.purposes && !rule.purposes.includes(purpose)) continue;
    const base = {
      rule_id: rule.id,
      category: rule.category,
      source: rule.source,
      confidence: rule.confidence,
    };
    if (rule.category === "dlt_template") {
      if (options.sender_kind === "alphanumeric" && !options.dlt_template_id?.trim()) {
        found.push({
          ...base,
          code: "dlt_template_required",
          matched: null,
          message: `Messages to ${country} from a DLT-registered sender ID must use a template approved on the DLT portal: give its template ID.`,
        });
      }
      continue;
    }
    const match = patternFor(rule.category)?.exec(text);
    if (!match) continue;
    const shortener = rule.category === "url_shortener";
    found.push({
      ...base,
      code: shortener ? "url_shortener_blocked" : "content_blocked_in_country",
      matched: match[0],
      message: shortener
        ? `Shortened links (${match[0]}) are blocked in ${country}: use the full URL on your own domain.`
        : `${country} blocks ${rule.category.replace("_", " ")} content ("${match[0]}").`,
    });
  }
  return found;
}
