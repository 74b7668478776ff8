import type { Failure } from "./rules.js";

/**
 * The emulated review of Regulatory Compliance bundles (numbers v2): deterministic rules over the
 * supporting documents, so a test can trigger a rejection on purpose. Pure; the review job gathers
 * the facts and applies the result. docs/reviews.md ("Regulatory bundles") explains them for users.
 * Twilio documents one code for a document that fails review, 18001 "Invalid document submission"
 * (https://www.twilio.com/docs/api/errors/18001); every rule here uses it, with its own reason.
 *
 * | rule                          | a supporting document …                                                          | code  |
 * |-------------------------------|----------------------------------------------------------------------------------|-------|
 * | regulatory.document_illegible | has "illegible" or "blurry" in its friendly name or any text attribute           | 18001 |
 * | regulatory.document_expired   | has an `expiration_date` (YYYY-MM-DD) before the day of the review               | 18001 |
 * | regulatory.name_mismatch      | names a holder (`first_name` + `last_name`, or `business_name`) other than the end user | 18001 |
 *
 * Names compare without case and with runs of spaces collapsed.
 */
export interface RegulatoryFacts {
  /** The review's day, YYYY-MM-DD (emulated time). */
  today: string;
  endUser: { type: string; attributes: Record<string, unknown> } | null;
  documents: { sid: string; friendly_name: string; attributes: Record<string, unknown> }[];
}

export interface DocumentFailure extends Failure {
  document_sid: string;
}

const norm = (v: unknown) => (typeof v === "string" ? v.trim().replace(/\s+/g, " ").toLowerCase() : "");
const fullName = (a: Record<string, unknown>) => norm(`${a.first_name ?? ""} ${a.last_name ?? ""}`);

export function regulatoryFailures(facts: RegulatoryFacts): DocumentFailure[] {
  const failures: DocumentFailure[] = [];
  for (const d of facts.documents) {
    const fail = (rule: string, reason: string, fields: string[]) =>
      failures.push({ rule, code: 18001, reason, fields, document_sid: d.sid });
    const texts = [d.friendly_name, ...Object.values(d.attributes).filter((v) => typeof v === "string")];
    if (texts.some((t) => /\b(illegible|blurry)\b/i.test(String(t))))
      fail(
        "regulatory.document_illegible",
        `The document ${d.sid} is illegible: upload a clear copy of the whole document.`,
        ["attributes"],
      );
    const expires = d.attributes.expiration_date;
    if (typeof expires === "string" && /^\d{4}-\d{2}-\d{2}$/.test(expires) && expires < facts.today)
      fail(
        "regulatory.document_expired",
        `The document ${d.sid} expired on ${expires}: provide a document that is still valid.`,
        ["expiration_date"],
      );
    const user = facts.endUser?.attributes;
    if (!user) continue;
    if (
      norm(d.attributes.business_name) &&
      norm(user.business_name) &&
      norm(d.attributes.business_name) !== norm(user.business_name)
    )
      fail(
        "regulatory.name_mismatch",
        `The business name on document ${d.sid} does not match the end user's business name.`,
        ["business_name"],
      );
    if (d.attributes.last_name !== undefined && fullName(user) && fullName(d.attributes) !== fullName(user))
      fail("regulatory.name_mismatch", `The name on document ${d.sid} does not match the end user's name.`, [
        "first_name",
        "last_name",
      ]);
  }
  return failures;
}
