import type { Category, Content } from "./model.js";
import { bodyText } from "./template.js";

/** Meta template names: lowercase letters, digits and underscores, at most 512 characters. */
export const NAME_PATTERN = /^[a-z0-9_]{1,512}$/;

export type Verdict = { status: "approved" } | { status: "rejected"; reason: string };

/**
 * The emulator's WhatsApp template review, deterministic from the submitted template. Each rule
 * mirrors one of Meta's documented rejection reasons:
 * 1. AUTHENTICATION templates must use the `whatsapp/authentication` type (and that type only
 *    goes in the AUTHENTICATION category);
 * 2. `twilio/list-picker` is a session-only type and cannot be approved as a template;
 * 3. the body cannot start or end with a variable ("{{1}}, your order…" / "…ready, {{1}}");
 * 4. variables must be sequential from {{1}} without gaps ({{1}} then {{3}} is rejected);
 * 5. the body must have text besides its variables: at least two words per variable.
 * Anything else is approved.
 */
export function reviewTemplate(content: Pick<Content, "types">, category: Category, type: string): Verdict {
  const reject = (reason: string): Verdict => ({ status: "rejected", reason });
  const hasAuthType = "whatsapp/authentication" in content.types;
  if (category === "AUTHENTICATION" && !hasAuthType)
    return reject("AUTHENTICATION templates must use the whatsapp/authentication content type");
  if (category !== "AUTHENTICATION" && hasAuthType)
    return reject("whatsapp/authentication templates must be submitted in the AUTHENTICATION category");
  if (type === "twilio/list-picker")
    return reject("twilio/list-picker can only be sent inside a session; it cannot be a template");

  const body = bodyText(content.types, type).trim();
  if (!body) return { status: "approved" };
  if (/^\{\{[^}]*\}\}/.test(body) || /\{\{[^}]*\}\}$/.test(body))
    return reject("INVALID_FORMAT: variable parameters cannot be at the start or end of the template body");
  const numbers = [...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
  const distinct = [...new Set(numbers)].sort((a, b) => a - b);
  if (distinct.some((n, i) => n !== i + 1))
    return reject("INVALID_FORMAT: variable parameters must be sequential, starting at {{1}}");
  const words = body
    .replace(/\{\{[^}]*\}\}/g, " ")
    .split(/\s+/)
    .filter((w) => /\p{L}/u.test(w)).length;
  if (distinct.length > 0 && words < distinct.length * 2)
    return reject("INVALID_FORMAT: too many variable parameters for the length of the message");
  return { status: "approved" };
}
