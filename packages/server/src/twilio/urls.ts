import { SubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";

/**
 * The base URL Twilio calls back (SUBTEXT_PUBLIC_URL, else the API's own URL once it listens).
 * Voice webhooks and number configuration need it; without it there is nothing to point at.
 */
export function publicBase(services: Pick<Services, "urls">): string {
  const base = services.urls.public ?? services.urls.api;
  if (!base) {
    throw new SubtextError("public_url_unknown", 503, "The URL Twilio should call back is not known yet.", {
      hint: "Set SUBTEXT_PUBLIC_URL, or retry once the API listens.",
      retryable: true,
    });
  }
  return base;
}
