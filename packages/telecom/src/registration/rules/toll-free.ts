/**
 * Rules on the `toll_free` part (Tollfree/Verifications create parameters: docs/twilio-facts.md,
 * "Toll-free verification").
 */
import {
  LIMITS,
  NON_MARKETING_USE_CASES,
  TOLL_FREE_MESSAGE_VOLUMES,
  TOLL_FREE_OPT_IN_TYPES,
  TOLL_FREE_USE_CASE_CATEGORIES,
} from "./catalog.js";
import { checkHelpMessage } from "./campaign.js";
import { checkEmail, checkUrl } from "./contact.js";
import { checkSample, checkSamplesTogether } from "./content.js";
import { checkLength, error, type Report, text, texts } from "./finding.js";

const P = "toll_free";

export function checkTollFree(
  report: Report,
  details: Record<string, unknown>,
  brandNames: readonly string[],
): void {
  const categories = texts(details.use_case_categories);
  if (Array.isArray(details.use_case_categories) && categories.length === 0) {
    report(
      error(
        `${P}.use_case_categories`,
        "too_few_items",
        "No use case category given.",
        "Give at least one category.",
      ),
    );
  }
  categories.forEach((category, i) => {
    if (!(TOLL_FREE_USE_CASE_CATEGORIES as readonly string[]).includes(category)) {
      report(
        error(
          `${P}.use_case_categories[${i}]`,
          "use_case_category_unknown",
          `"${category}" is not a toll-free use case category.`,
          `Use one of: ${TOLL_FREE_USE_CASE_CATEGORIES.join(", ")}.`,
        ),
      );
    }
  });

  const optInType = text(details.opt_in_type);
  if (optInType && !(TOLL_FREE_OPT_IN_TYPES as readonly string[]).includes(optInType)) {
    report(
      error(
        `${P}.opt_in_type`,
        "opt_in_type_unknown",
        `"${optInType}" is not an opt-in type.`,
        `Use one of: ${TOLL_FREE_OPT_IN_TYPES.join(", ")}.`,
      ),
    );
  }

  const images = texts(details.opt_in_image_urls);
  if (Array.isArray(details.opt_in_image_urls) && images.length === 0) {
    report(
      error(
        `${P}.opt_in_image_urls`,
        "too_few_items",
        "No picture of the opt-in is given.",
        "Link at least one publicly hosted screenshot or photo of where people consent.",
      ),
    );
  }
  images.forEach((url, i) => {
    checkUrl(report, `${P}.opt_in_image_urls[${i}]`, url, { requireHttps: true });
  });

  const volume = text(details.message_volume);
  if (volume && !(TOLL_FREE_MESSAGE_VOLUMES as readonly string[]).includes(volume)) {
    report(
      error(
        `${P}.message_volume`,
        "message_volume_unknown",
        `"${volume}" is not one of Twilio's monthly volume values.`,
        `Use one of: ${TOLL_FREE_MESSAGE_VOLUMES.join(", ")} (the next one above the expected monthly count).`,
      ),
    );
  }

  checkEmail(report, `${P}.notification_email`, details.notification_email);
  checkLength(
    report,
    `${P}.production_message_sample`,
    details.production_message_sample,
    LIMITS.production_message_sample,
  );
  const sample = text(details.production_message_sample);
  if (sample) {
    // With several categories, judge the sample against the strictest non-2FA one, unless one
    // of them allows marketing.
    const useCase =
      categories.length === 1
        ? categories[0]
        : categories.every((c) => NON_MARKETING_USE_CASES.has(c))
          ? categories.find((c) => c !== "TWO_FACTOR_AUTHENTICATION")
          : undefined;
    checkSample(report, `${P}.production_message_sample`, sample, { useCase, brandNames });
    checkSamplesTogether(report, `${P}.production_message_sample`, [sample], {});
  }
  for (const field of ["opt_in_confirmation_message", "help_message_sample"]) {
    checkLength(report, `${P}.${field}`, details[field], LIMITS.keyword_message);
  }
  checkHelpMessage(report, `${P}.help_message_sample`, text(details.help_message_sample), brandNames);
  texts(details.opt_in_keywords).forEach((keyword, i) => {
    if (!/^[A-Za-z0-9]+$/.test(keyword)) {
      report(
        error(
          `${P}.opt_in_keywords[${i}]`,
          "keyword_not_alphanumeric",
          `"${keyword}" is not alphanumeric.`,
          "Use one word of letters and digits.",
        ),
      );
    }
  });
  const number = text(details.phone_number);
  if (number && !/^\+18(00|33|44|55|66|77|88)[2-9]\d{6}$/.test(number)) {
    report(
      error(
        `${P}.phone_number`,
        "toll_free_number_invalid",
        `"${number}" is not a US toll-free number in E.164.`,
        "Give a number like +18885550123 (800, 833, 844, 855, 866, 877 or 888), or omit it to buy one for sale.",
      ),
    );
  }
  checkUrl(report, `${P}.privacy_policy_url`, details.privacy_policy_url);
  checkUrl(report, `${P}.terms_and_conditions_url`, details.terms_and_conditions_url);
}
