/**
 * Pre-submission validation of a registration document. Pure: no I/O; counts that need the
 * database (reuse limits) come from the caller. Every finding code is listed, with its
 * severity and source, in docs/registration-rules.md.
 *
 * `ok` is true when there is no error; warnings are the common reasons reviewers reject a
 * registration, shown so the user can fix them before paying for a review.
 */
import { isRegistrationKind, REGISTRATION_KINDS } from "../document.js";
import { brandNames, checkOrganizationBusiness, checkSoleProprietorBusiness } from "./business.js";
import { checkCampaign } from "./campaign.js";
import { error, type Finding, record, text } from "./finding.js";
import { type ReuseCounts, reuseFindings } from "./reuse.js";
import { checkShape } from "./shape.js";
import { checkTollFree } from "./toll-free.js";

export type { Finding, Severity } from "./finding.js";
export type { ReuseCounts } from "./reuse.js";
export { reuseFindings } from "./reuse.js";

export interface ValidationResult {
  ok: boolean;
  findings: Finding[];
}

export interface ValidationOptions {
  /** Existing registrations using this document's mobile number, e-mail and address. */
  reuse?: ReuseCounts;
}

export function validateRegistration(doc: unknown, options: ValidationOptions = {}): ValidationResult {
  const findings: Finding[] = [];
  const report = (finding: Finding) => {
    findings.push(finding);
  };
  const root = record(doc);
  const kind = root.kind;
  if (!isRegistrationKind(kind)) {
    report(
      error(
        "kind",
        doc === null || typeof doc !== "object" || kind === undefined ? "field_required" : "kind_unknown",
        kind === undefined
          ? "The registration kind is required."
          : `"${String(kind)}" is not a registration kind.`,
        `Use one of: ${REGISTRATION_KINDS.join(", ")}.`,
      ),
    );
    return { ok: false, findings };
  }

  checkShape(kind, doc, report);
  const business = record(root.business);
  if (kind === "sole_proprietor") {
    checkSoleProprietorBusiness(report, business);
  } else {
    checkOrganizationBusiness(report, business);
  }
  // TCR's limits; toll-free verification does not go through TCR.
  if (options.reuse && kind !== "toll_free") findings.push(...reuseFindings(options.reuse, kind));

  if (kind === "toll_free") {
    const details = record(root.toll_free);
    checkTollFree(report, details, brandNames(kind, business, text(details.doing_business_as)));
  } else {
    checkCampaign(report, kind, record(root.campaign), brandNames(kind, business));
  }

  return { ok: !findings.some((f) => f.severity === "error"), findings: dedupe(findings) };
}

/** One finding per path and code (a shape error and a rule can both see a bad value). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.path}\u0000${f.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
