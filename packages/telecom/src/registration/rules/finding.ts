/**
 * A finding: one problem in a registration document, precise enough for a form to highlight
 * the field and tell the user what to change. Codes are stable (docs/registration-rules.md).
 */

export type Severity = "error" | "warning";

export interface Finding {
  /** Where, in the document's own terms: "campaign.message_samples[1]". */
  path: string;
  code: string;
  /** error: Twilio or the carriers will refuse it. warning: a common reason for rejection. */
  severity: Severity;
  message: string;
  fix: string;
}

export type Report = (finding: Finding) => void;

export function error(path: string, code: string, message: string, fix: string): Finding {
  return { path, code, severity: "error", message, fix };
}

export function warning(path: string, code: string, message: string, fix: string): Finding {
  return { path, code, severity: "warning", message, fix };
}

/** A non-empty trimmed string, or undefined for anything else (absent, wrong type, blank). */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Length rule for a text field, in characters (code points, as TCR counts utf8mb4 text). */
export function checkLength(
  report: Report,
  path: string,
  value: unknown,
  bounds: { min?: number; max?: number },
): void {
  if (typeof value !== "string") return;
  const length = [...value.trim()].length;
  if (length === 0) return; // absence is reported by the shape check
  if (bounds.min !== undefined && length < bounds.min) {
    report(
      error(
        path,
        "too_short",
        `${length} characters; at least ${bounds.min} are required.`,
        `Write at least ${bounds.min - length} more characters with concrete detail.`,
      ),
    );
  }
  if (bounds.max !== undefined && length > bounds.max) {
    report(
      error(
        path,
        "too_long",
        `${length} characters; at most ${bounds.max} are allowed.`,
        `Shorten it by ${length - bounds.max} characters.`,
      ),
    );
  }
}
