/**
 * TCR's lifetime reuse limits (sole proprietor walkthrough, in docs/twilio-facts.md): a sole
 * proprietor's OTP mobile number may back at most 3 brands, an e-mail address or a postal
 * address at most 10 "across all A2P Brand registrations", counted across every platform the
 * person ever registered through. We can only count our own registrations; the caller queries
 * them and passes the counts in.
 */
import type { RegistrationKind } from "../document.js";
import { REUSE_LIMITS } from "./catalog.js";
import { error, type Finding, warning } from "./finding.js";

/** How many existing brand registrations already use each value (not counting this one). */
export interface ReuseCounts {
  mobile_phone_number?: number;
  email?: number;
  address?: number;
}

const WHAT: Record<keyof ReuseCounts, string> = {
  mobile_phone_number: "mobile number",
  email: "e-mail address",
  address: "address",
};

/** Where each counted value sits in a document of the given kind (no OTP mobile outside sole proprietors). */
function pathOf(key: keyof ReuseCounts, kind: RegistrationKind): string | undefined {
  if (key === "address") return "business.address";
  if (kind === "sole_proprietor") return `business.${key}`;
  return key === "email" ? "business.contact.email" : undefined;
}

export function reuseFindings(counts: ReuseCounts, kind: RegistrationKind = "sole_proprietor"): Finding[] {
  const findings: Finding[] = [];
  for (const key of Object.keys(WHAT) as (keyof ReuseCounts)[]) {
    const used = counts[key];
    const path = pathOf(key, kind);
    if (used === undefined || path === undefined) continue;
    const limit = REUSE_LIMITS[key];
    const what = WHAT[key];
    if (used >= limit) {
      findings.push(
        error(
          path,
          "reuse_limit_reached",
          `This ${what} already backs ${used} brands; TCR allows ${limit} in a lifetime.`,
          `Use another ${what} that belongs to the customer.`,
        ),
      );
    } else if (used === limit - 1) {
      findings.push(
        warning(
          path,
          "reuse_limit_last_use",
          `This is the last brand this ${what} may back (${limit} in a lifetime, other platforms included).`,
          "Make sure the registration is right before submitting; a failed one still counts.",
        ),
      );
    }
  }
  return findings;
}
