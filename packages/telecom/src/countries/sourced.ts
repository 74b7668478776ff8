/**
 * What every country entry carries: where it comes from and how sure we are of it.
 *
 * `source` is a public URL (Twilio's per-country guidelines, a regulator, a statute). Twilio's
 * guideline pages change without notice and disagree with each other now and then; where an
 * entry rests on a secondary source, on an excerpt we could not read in full, or on sources that
 * disagree, `confidence` is below "high" and `note` says why. Check the source before relying on
 * a "low" entry.
 */

export type Confidence = "high" | "medium" | "low";

export interface Sourced {
  /** A public URL the entry is taken from. */
  source: string;
  confidence: Confidence;
  /** What the source says beyond the fields, or why the confidence is not high. */
  note?: string;
}

/** What a message is for: the rules differ (quiet hours and opt-out wording bind marketing). */
export type MessagePurpose = "marketing" | "transactional" | "otp";

export const MESSAGE_PURPOSES: readonly MessagePurpose[] = ["marketing", "transactional", "otp"];

/** A review or provisioning time in calendar days. */
export interface ReviewTime {
  min_days: number;
  max_days: number;
}

/** ISO 3166-1 alpha-2, upper case; null when the input is not two letters. */
export function normalizeCountry(iso: string): string | null {
  const upper = iso.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(upper) ? upper : null;
}
