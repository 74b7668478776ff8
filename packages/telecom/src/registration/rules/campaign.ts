/**
 * Rules on the 10DLC `campaign` part (Usa2p create parameters: docs/twilio-facts.md, "Campaigns").
 */
import type { RegistrationKind } from "../document.js";
import { A2P_USE_CASES, LIMITS, POST_APPROVAL_USE_CASES } from "./catalog.js";
import { checkUrl } from "./contact.js";
import { checkMessageFlow, checkSample, checkSamplesTogether, namesBrand } from "./content.js";
import { checkLength, error, type Report, text, texts, warning } from "./finding.js";

function checkUseCase(report: Report, kind: RegistrationKind, useCase: string | undefined): void {
  if (!useCase) return;
  const path = "campaign.use_case";
  if (!(A2P_USE_CASES as readonly string[]).includes(useCase)) {
    report(
      error(
        path,
        "use_case_unknown",
        `"${useCase}" is not an A2P use case.`,
        `Use one of: ${A2P_USE_CASES.join(", ")}.`,
      ),
    );
    return;
  }
  if ((kind === "sole_proprietor") !== (useCase === "SOLE_PROPRIETOR")) {
    report(
      error(
        path,
        "use_case_not_allowed_for_kind",
        kind === "sole_proprietor"
          ? "A sole proprietor brand has exactly one use case: SOLE_PROPRIETOR."
          : "SOLE_PROPRIETOR is only for sole proprietor brands.",
        kind === "sole_proprietor"
          ? 'Set use_case to "SOLE_PROPRIETOR".'
          : "Choose the use case that matches the messages.",
      ),
    );
  }
  if (POST_APPROVAL_USE_CASES.has(useCase)) {
    report(
      warning(
        path,
        "use_case_needs_post_approval",
        `${useCase} campaigns also need carrier approval after registration; expect extra weeks.`,
        "Keep it if it is right; otherwise pick a standard use case.",
      ),
    );
  }
}

const KEYWORD_GROUPS = [
  ["opt_in_keywords", "opt_in_message"],
  ["opt_out_keywords", "opt_out_message"],
  ["help_keywords", "help_message"],
] as const;

function checkKeywords(report: Report, campaign: Record<string, unknown>): void {
  for (const [keywordsField, messageField] of KEYWORD_GROUPS) {
    const keywords = texts(campaign[keywordsField]);
    keywords.forEach((keyword, i) => {
      if (!/^[A-Za-z0-9]+$/.test(keyword)) {
        report(
          error(
            `campaign.${keywordsField}[${i}]`,
            "keyword_not_alphanumeric",
            `"${keyword}" has characters other than letters and digits.`,
            "Use a single word of letters and digits, e.g. JOIN.",
          ),
        );
      }
    });
    if (keywords.join(",").length > LIMITS.keywords_joined.max) {
      report(
        error(
          `campaign.${keywordsField}`,
          "keywords_too_long",
          `The keywords take ${keywords.join(",").length} characters; at most ${LIMITS.keywords_joined.max} are allowed.`,
          "Keep fewer keywords.",
        ),
      );
    }
    const message = text(campaign[messageField]);
    checkLength(report, `campaign.${messageField}`, campaign[messageField], LIMITS.keyword_message);
    if (keywords.length > 0 && !message) {
      report(
        error(
          `campaign.${messageField}`,
          "keywords_without_message",
          `${keywordsField} are given, so Twilio requires the auto-reply ${messageField}.`,
          "Write the reply sent when someone texts one of these keywords.",
        ),
      );
    } else if (message && keywords.length === 0) {
      report(
        warning(
          `campaign.${keywordsField}`,
          "message_without_keywords",
          `${messageField} is given but no ${keywordsField}.`,
          "List the keywords that trigger it, or drop the message to use Twilio's defaults.",
        ),
      );
    }
  }
}

function checkOptInMessage(report: Report, message: string | undefined, brands: readonly string[]): void {
  if (!message) return;
  const missing = [
    brands.length > 0 && !namesBrand(message, brands) ? "the brand name" : undefined,
    /\bstop\b/i.test(message) ? undefined : "how to opt out (STOP)",
    /\bhelp\b/i.test(message) ? undefined : "how to get help (HELP)",
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    report(
      warning(
        "campaign.opt_in_message",
        "opt_in_message_incomplete",
        `The opt-in confirmation lacks ${missing.join(", ")}.`,
        "Name the brand, confirm the subscription, and say to reply HELP for help and STOP to opt out.",
      ),
    );
  }
}

/** A phone number, an e-mail address or a web address: where a recipient can get help. */
const SUPPORT_CONTACT =
  /\+?\d[\d\s().-]{6,}\d|[^\s@]+@[^\s@]+\.[a-z]{2,}|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}\b/i;

/**
 * The reply to HELP (CTIA's handbook, TCR's campaign review): the brand, a way to reach support,
 * and how to opt out.
 */
export function checkHelpMessage(
  report: Report,
  path: string,
  message: string | undefined,
  brands: readonly string[],
): void {
  if (!message) return;
  const missing = [
    brands.length > 0 && !namesBrand(message, brands) ? "the brand name" : undefined,
    SUPPORT_CONTACT.test(message) ? undefined : "a support contact (phone, e-mail or web address)",
    /\bstop\b/i.test(message) ? undefined : "how to opt out (STOP)",
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    report(
      warning(
        path,
        "help_message_incomplete",
        `The reply to HELP lacks ${missing.join(", ")}.`,
        'Name the brand, say where to get help and how to opt out, e.g. "Acme: Help at acme.com. Reply STOP to opt out."',
      ),
    );
  }
}

/** The reply to STOP: the brand, and a confirmation that no more messages will be sent. */
function checkOptOutMessage(report: Report, message: string | undefined, brands: readonly string[]): void {
  if (!message) return;
  const missing = [
    brands.length > 0 && !namesBrand(message, brands) ? "the brand name" : undefined,
    /unsubscribed|opted out|no (more|further) (messages|texts)|not (receive|get) (any )?(more|further)/i.test(
      message,
    )
      ? undefined
      : "a confirmation that no more messages will be sent",
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    report(
      warning(
        "campaign.opt_out_message",
        "opt_out_message_incomplete",
        `The reply to STOP lacks ${missing.join(", ")}.`,
        'Name the brand and confirm the opt-out, e.g. "Acme: You are unsubscribed and will receive no more messages."',
      ),
    );
  }
}

export function checkCampaign(
  report: Report,
  kind: RegistrationKind,
  campaign: Record<string, unknown>,
  brandNames: readonly string[],
): void {
  const useCase = text(campaign.use_case);
  checkUseCase(report, kind, useCase);

  checkLength(report, "campaign.description", campaign.description, LIMITS.description);
  const description = text(campaign.description);
  if (description && brandNames.length > 0 && !namesBrand(description, brandNames)) {
    report(
      warning(
        "campaign.description",
        "description_missing_brand",
        "The description does not say who sends the messages.",
        "Say who sends, to whom, and why, naming the brand.",
      ),
    );
  }

  checkLength(report, "campaign.message_flow", campaign.message_flow, LIMITS.message_flow);
  const flow = text(campaign.message_flow);
  if (flow)
    checkMessageFlow(report, "campaign.message_flow", flow, text(campaign.privacy_policy_url) !== undefined);

  const samples = texts(campaign.message_samples);
  if (Array.isArray(campaign.message_samples)) {
    const { minItems, maxItems } = LIMITS.message_samples;
    if (samples.length < minItems) {
      report(
        error(
          "campaign.message_samples",
          "too_few_items",
          `${samples.length} samples; at least ${minItems} are required.`,
          "Add samples of real messages.",
        ),
      );
    } else if (samples.length > maxItems) {
      report(
        error(
          "campaign.message_samples",
          "too_many_items",
          `${samples.length} samples; at most ${maxItems} are allowed.`,
          "Keep the most typical ones.",
        ),
      );
    }
  }
  samples.forEach((sample, i) => {
    const path = `campaign.message_samples[${i}]`;
    checkLength(report, path, sample, LIMITS.message_sample);
    checkSample(report, path, sample, { useCase, brandNames });
  });
  checkSamplesTogether(report, "campaign.message_samples", samples, campaign);

  checkKeywords(report, campaign);
  checkOptInMessage(report, text(campaign.opt_in_message), brandNames);
  checkOptOutMessage(report, text(campaign.opt_out_message), brandNames);
  checkHelpMessage(report, "campaign.help_message", text(campaign.help_message), brandNames);
  checkUrl(report, "campaign.privacy_policy_url", campaign.privacy_policy_url);
  checkUrl(report, "campaign.terms_and_conditions_url", campaign.terms_and_conditions_url);
}
