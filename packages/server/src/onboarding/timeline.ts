/**
 * What a user should expect, in business days (eta.ts), from where the registration stands. Review
 * times (docs/twilio-facts.md, "Review times and pacing"): brand 3–5 business days, campaign 10–15,
 * 10DLC in all 13–20, toll-free verification 3–5. Pure: every date comes from the registration's
 * own timestamps.
 */
import { type CalendarDate, calendarDate, etaWindow } from "@subtext/telecom/registration/eta";
import { REVIEW_TIMES } from "@subtext/telecom/registration/path";
import type { RegistrationRow } from "./store.js";

export interface RegistrationEta {
  earliest: CalendarDate;
  latest: CalendarDate;
  /** Business days of review still expected, counted from `from`. */
  business_days: { min: number; max: number };
  from: CalendarDate;
  /** Which review the window is for. */
  waiting_for: "brand_and_campaign" | "campaign" | "toll_free_verification";
}

type EtaInput = Pick<
  RegistrationRow,
  "kind" | "state" | "created_at" | "brand_submitted_at" | "campaign_submitted_at" | "review_started_at"
>;

/** Null once the registration is approved (nothing left to wait for) or suspended. */
export function registrationEta(r: EtaInput): RegistrationEta | null {
  if (r.state === "approved" || r.state === "suspended") return null;
  if (r.kind === "toll_free") {
    const from = calendarDate(r.review_started_at ?? r.created_at);
    return window(from, REVIEW_TIMES.toll_free, "toll_free_verification");
  }
  if (r.campaign_submitted_at) {
    return window(calendarDate(r.campaign_submitted_at), REVIEW_TIMES.campaign, "campaign");
  }
  return window(
    calendarDate(r.brand_submitted_at ?? r.created_at),
    REVIEW_TIMES.ten_dlc,
    "brand_and_campaign",
  );
}

function window(
  from: CalendarDate,
  range: { min: number; max: number },
  waiting_for: RegistrationEta["waiting_for"],
): RegistrationEta {
  return { ...etaWindow(from, range), business_days: { ...range }, from, waiting_for };
}
