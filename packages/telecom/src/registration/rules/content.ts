/**
 * Heuristics for the reasons reviewers reject campaigns most often (docs/registration-rules.md,
 * "Where the rules come from"; Twilio's field descriptions).
 * Mostly warnings, because a person can be right where a pattern is wrong; the exception is an
 * undeclared link or phone number (see checkDeclared).
 */
import { NON_MARKETING_USE_CASES } from "./catalog.js";
import { URL_SHORTENERS } from "./contact.js";
import { error, type Report, warning } from "./finding.js";

const LINK =
  /\bhttps?:\/\/[^\s]+|\bwww\.[^\s]+|\b(?<!@)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|us|ca|app|ly|me|info|biz|shop|store|link|site)\b(?:\/[^\s]*)?/gi;
// "_" counts as a separator: [payment_link], [support_phone].
const LINK_PLACEHOLDER = /\[[^\]]*(?<![a-z])(link|url|website)(?![a-z])[^\]]*\]/i;
const PHONE = /\+\d{8,15}\b|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g;
const PHONE_PLACEHOLDER = /\[[^\]]*(?<![a-z])(phone|phone_number)(?![a-z])[^\]]*\]/i;
const PLACEHOLDER = /\[[^\]]+\]/;
const TEMPLATE_SYNTAX = /\{\{[^}]*\}\}|\{[a-z_][\w.]*\}|\$\{[^}]*\}|%[sd]\b|<[a-z_]+>/i;
// Content a sender fills in per message: order numbers, codes, amounts, times, dates.
const VARIABLE = /#\s?\d+|\b\d{4,}\b|\$\s?\d+|\b\d{1,2}:\d{2}\b|\b\d{1,2}\/\d{1,2}(\/\d{2,4})?\b/;
const OPT_OUT = /\b(stop|unsubscribe|opt[\s-]?out|optout)\b/i;
const MARKETING =
  /\b\d+\s?%\s?off\b|\b(sale|discount|promo|promotion|coupon|deals?|free shipping|limited[- ]time|buy now|shop now|clearance|bogo)\b/i;
const CODE_WORDS = /\b(code|passcode|otp|pin|verification|verify)\b/i;

export function linksIn(sample: string): string[] {
  const withoutEmails = sample.replace(/\S+@\S+/g, " ");
  return [...withoutEmails.matchAll(LINK)].map((m) => m[0]);
}

export function hasLink(sample: string): boolean {
  return linksIn(sample).length > 0 || LINK_PLACEHOLDER.test(sample);
}

export function hasPhone(sample: string): boolean {
  return (sample.match(PHONE) ?? []).length > 0 || PHONE_PLACEHOLDER.test(sample);
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
}

const GENERIC = new Set([
  "the",
  "and",
  "of",
  "company",
  "group",
  "services",
  "service",
  "inc",
  "llc",
  "shop",
  "store",
]);

/** Whether a text names the sender: the whole name, its first distinctive word, or its domain. */
export function namesBrand(sample: string, names: readonly string[]): boolean {
  const haystack = squash(sample);
  return names.some((name) => {
    if (squash(name).length > 0 && haystack.includes(squash(name))) return true;
    const first = name
      .split(/\s+/)
      .map(squash)
      .find((w) => w.length >= 4 && !GENERIC.has(w));
    return first !== undefined && haystack.includes(first);
  });
}

export interface SampleContext {
  useCase?: string;
  brandNames: readonly string[];
}

/** Rules for one message sample (also used for the toll-free production sample). */
export function checkSample(report: Report, path: string, sample: string, ctx: SampleContext): void {
  if (ctx.brandNames.length > 0 && !namesBrand(sample, ctx.brandNames)) {
    report(
      warning(
        path,
        "sample_missing_brand",
        "The sample does not name the sender.",
        `Start it with the brand, e.g. "${ctx.brandNames[0]}: …".`,
      ),
    );
  }
  if (TEMPLATE_SYNTAX.test(sample)) {
    report(
      warning(
        path,
        "sample_template_syntax",
        "The sample contains template syntax reviewers do not read as a placeholder.",
        "Write variable parts in square brackets: [first_name], [order_id].",
      ),
    );
  } else {
    const fixed = sample.replace(LINK, " ").replace(PHONE, " ");
    if (!PLACEHOLDER.test(sample) && VARIABLE.test(fixed)) {
      report(
        warning(
          path,
          "sample_unbracketed_variable",
          "The sample contains values that change per message (numbers, codes, times) without brackets.",
          "Mark them as placeholders: [order_id], [code], [time].",
        ),
      );
    }
  }
  for (const link of linksIn(sample)) {
    const host = link
      .replace(/^https?:\/\//i, "")
      .split("/")[0]
      .toLowerCase();
    if (URL_SHORTENERS.has(host)) {
      report(
        warning(
          path,
          "url_shortener",
          `${host} is a public link shortener; carriers filter them.`,
          "Use a link on your own domain.",
        ),
      );
    }
  }
  const useCase = ctx.useCase ?? "";
  if (NON_MARKETING_USE_CASES.has(useCase) && MARKETING.test(sample)) {
    report(
      warning(
        path,
        "sample_off_use_case",
        `The sample reads as marketing, which the ${useCase} use case does not allow.`,
        "Remove the promotional wording, or register a MARKETING or MIXED campaign.",
      ),
    );
  } else if ((useCase === "2FA" || useCase === "TWO_FACTOR_AUTHENTICATION") && !CODE_WORDS.test(sample)) {
    report(
      warning(
        path,
        "sample_off_use_case",
        "A two-factor sample should carry a code.",
        'Show the code message itself, e.g. "Your [brand] code is [code]".',
      ),
    );
  }
}

export function checkSamplesTogether(
  report: Report,
  path: string,
  samples: readonly string[],
  flags: { has_embedded_links?: unknown; has_embedded_phone?: unknown },
): void {
  if (samples.length > 0 && !samples.some((s) => OPT_OUT.test(s))) {
    report(
      warning(
        path,
        "samples_missing_opt_out",
        "No sample tells the recipient how to opt out.",
        'Add "Reply STOP to opt out" to at least the first message a subscriber receives.',
      ),
    );
  }
  const seen = new Map<string, number>();
  samples.forEach((s, i) => {
    const key = s.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      report(
        warning(
          `${path}[${i}]`,
          "sample_duplicate",
          `Same text as sample ${first + 1}.`,
          "Show a different message.",
        ),
      );
    } else seen.set(key, i);
  });
  checkDeclared(report, samples, path, "links", flags.has_embedded_links, hasLink);
  checkDeclared(report, samples, path, "phone", flags.has_embedded_phone, hasPhone);
}

function checkDeclared(
  report: Report,
  samples: readonly string[],
  path: string,
  what: "links" | "phone",
  declared: unknown,
  present: (s: string) => boolean,
): void {
  if (typeof declared !== "boolean") return;
  const field = what === "links" ? "campaign.has_embedded_links" : "campaign.has_embedded_phone";
  const noun = what === "links" ? "a link" : "a phone number";
  const index = samples.findIndex(present);
  if (!declared && index >= 0) {
    // An error although detected by pattern: the fix (declaring true) is harmless if we are wrong.
    report(
      error(
        `${path}[${index}]`,
        what === "links" ? "embedded_link_undeclared" : "embedded_phone_undeclared",
        `The sample contains ${noun} but ${field.split(".")[1]} is false; the mismatch gets campaigns rejected.`,
        `Set ${field.split(".")[1]} to true, or remove ${noun} from the samples.`,
      ),
    );
  } else if (declared && index < 0) {
    report(
      warning(
        field,
        what === "links" ? "embedded_link_unused" : "embedded_phone_unused",
        `Declared true, but no sample contains ${noun}.`,
        `Add a sample showing ${noun}, or set it to false.`,
      ),
    );
  }
}

// How consent is collected, concretely. "Users can opt in on our website" says none of this.
const CONSENT_METHOD =
  /check\s?-?box|\b(check|checks|checking|tick|ticks|ticking|select|selects|selecting)\b[^.]{0,40}\bbox\b|\bform\b|keyword|\btext(s|ing)?\s+["'“]?[A-Za-z0-9]+["'”]?\s+to\b|\b(reply|replies|replying)\b|qr\s?code|verbal(ly)?|in[\s-]person|over the phone|phone call|point of sale|checkout|(enter|enters|entering|provide|provides|providing|submit|submits)\s+(their|a|the|his|her)\s+(mobile |cell |phone )*(phone )?number/i;
const WEB_MENTION = /\b(website|web ?site|online|web ?page|webpage|portal|app)\b/i;
const POLICY = /privacy|terms/i;

export function checkMessageFlow(report: Report, path: string, flow: string, hasPolicyUrl: boolean): void {
  if (!CONSENT_METHOD.test(flow)) {
    report(
      warning(
        path,
        "message_flow_no_consent_method",
        "The message flow does not say how consent is collected.",
        'Describe the exact step, e.g. "Customers tick an unchecked SMS consent box at acme.com/checkout" or "text JOIN to …".',
      ),
    );
  }
  const mentionsWeb = WEB_MENTION.test(flow) || /\bform\b|checkout|check\s?-?box/i.test(flow);
  if (mentionsWeb && linksIn(flow).length === 0) {
    report(
      warning(
        path,
        "message_flow_missing_url",
        "The opt-in happens on the web but no address is given.",
        "Give the address of the page with the opt-in (or of hosted screenshots of it).",
      ),
    );
  }
  if (mentionsWeb && !POLICY.test(flow) && !hasPolicyUrl) {
    report(
      warning(
        path,
        "message_flow_missing_policy",
        "No privacy policy or terms are referenced.",
        "Link the privacy policy and terms (they must mention SMS, message frequency and 'message and data rates may apply').",
      ),
    );
  }
}
