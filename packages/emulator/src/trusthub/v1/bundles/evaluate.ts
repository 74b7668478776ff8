import { isE164, isEmail } from "../../../reviews/checks.js";
import {
  ACCEPTED_SUPPORT_STATUS,
  DEFAULT_SUPPORT_STATUS,
  type FieldSpec,
  PROFILE_TYPE,
  type PolicySpec,
  documentType,
  endUserType,
} from "../policy-catalog.js";

/**
 * Evaluating a bundle against its policy, as Twilio's Evaluations resource does: one result per
 * requirement, each with the fields that passed (`valid`) and those that did not (`invalid`), and
 * Twilio's codes: 22214 end user missing, 22215 end-user field missing or malformed, 22216
 * document (or supporting profile) missing, 22217 document field missing or mismatched,
 * 22219 address missing. Pure: the caller gathers what is assigned.
 */
export interface EvaluationSubject {
  policy: PolicySpec;
  endUsers: { sid: string; type: string; attributes: Record<string, unknown> }[];
  documents: { sid: string; type: string; attributes: Record<string, unknown> }[];
  profiles: { sid: string; policy_sid: string; status: string }[];
  addressExists: (sid: string) => boolean;
}

interface FieldResult {
  object_field: string;
  friendly_name: string;
  passed?: boolean;
  failure_reason: string | null;
  error_code: number | null;
}

export interface RequirementResult {
  requirement_name: string;
  requirement_friendly_name: string;
  object_type: string;
  friendly_name: string;
  passed: boolean;
  failure_reason: string | null;
  error_code: number | null;
  valid: FieldResult[];
  invalid: FieldResult[];
}

const ok = (object_field: string, friendly_name: string): FieldResult => ({
  object_field,
  friendly_name,
  passed: true,
  failure_reason: null,
  error_code: null,
});
const bad = (object_field: string, friendly_name: string, failure_reason: string, error_code: number) => ({
  object_field,
  friendly_name,
  failure_reason,
  error_code,
});

const present = (v: unknown) =>
  Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && String(v).trim() !== "";

export const addressSidsOf = (attributes: Record<string, unknown>): string[] =>
  [attributes.address_sids]
    .flat()
    .flatMap((v) => (typeof v === "string" ? v.split(",") : []))
    .map((s) => s.trim())
    .filter(Boolean);

function checkField(spec: FieldSpec, attributes: Record<string, unknown>, owner: string): FieldResult {
  const value = attributes[spec.machine_name];
  const required = !spec.optional || spec.requiredWhen?.(attributes);
  if (!present(value)) {
    if (!required) return ok(spec.machine_name, spec.friendly_name);
    const reason = `The ${spec.friendly_name} is missing. Please enter in a ${spec.friendly_name} on the ${owner}.`;
    return bad(spec.machine_name, spec.friendly_name, reason, 22215);
  }
  const malformed =
    (spec.constraint === "Email" && !isEmail(String(value))) ||
    (spec.constraint === "PhoneNumber" && !isE164(String(value)));
  if (malformed) {
    const reason = `The ${spec.friendly_name} is invalid. Please enter a valid ${spec.friendly_name} (${
      spec.constraint === "Email" ? "name@domain" : "E.164, e.g. +14155550123"
    }) on the ${owner}.`;
    return bad(spec.machine_name, spec.friendly_name, reason, 22215);
  }
  return ok(spec.machine_name, spec.friendly_name);
}

function endUserResult(req: PolicySpec["endUsers"][number], s: EvaluationSubject): RequirementResult | null {
  const spec = endUserType(req.type);
  const item = s.endUsers.find((e) => e.type === req.type);
  if (!item && req.optional) return null;
  const fields = spec?.fields ?? [];
  const checks = fields.map((f) => checkField(f, item?.attributes ?? {}, req.name));
  const invalid = checks.filter((c) => !c.passed);
  const missing = !item;
  return {
    requirement_name: req.type,
    requirement_friendly_name: spec?.friendly_name ?? req.name,
    object_type: req.type,
    friendly_name: req.name,
    passed: !missing && invalid.length === 0,
    failure_reason: missing
      ? `A ${req.name} End-User is missing. Please add one to the regulatory bundle.`
      : invalid.length
        ? `The ${req.name} End-User is incomplete.`
        : null,
    error_code: missing ? 22214 : invalid.length ? 22215 : null,
    valid: missing ? [] : checks.filter((c) => c.passed),
    invalid,
  };
}

function documentResult(req: PolicySpec["documents"][number], s: EvaluationSubject): RequirementResult {
  const doc = s.documents.find((d) => req.accepted.includes(d.type));
  const base = {
    requirement_name: req.requirement_name,
    requirement_friendly_name: req.description,
    object_type: doc?.type ?? req.accepted[0],
    friendly_name: req.name,
  };
  if (!doc) {
    const invalid = [
      bad(
        "address_sids",
        "Address sid(s)",
        `The Address is missing. Please enter in the address shown on the ${req.name}.`,
        22219,
      ),
    ];
    const failure_reason = `A ${req.name} is missing. Please add one to the regulatory bundle.`;
    return { ...base, passed: false, failure_reason, error_code: 22216, valid: [], invalid };
  }
  const valid: FieldResult[] = [];
  const invalid: FieldResult[] = [];
  for (const spec of documentType(doc.type)?.fields ?? []) {
    if (spec.machine_name !== "address_sids") {
      const c = checkField(spec, doc.attributes, req.name);
      (c.passed ? valid : invalid).push(c.passed ? c : { ...c, error_code: 22217 });
      continue;
    }
    const sids = addressSidsOf(doc.attributes);
    const unknown = sids.filter((sid) => !s.addressExists(sid));
    if (sids.length === 0)
      invalid.push(
        bad(spec.machine_name, spec.friendly_name, `The Address is missing on the ${req.name}.`, 22219),
      );
    else if (unknown.length)
      invalid.push(
        bad(spec.machine_name, spec.friendly_name, `Address not found with sid ${unknown.join(", ")}`, 22219),
      );
    else valid.push(ok(spec.machine_name, spec.friendly_name));
  }
  const passed = invalid.length === 0;
  return {
    ...base,
    passed,
    failure_reason: passed ? null : `The ${req.name} is incomplete or does not match.`,
    error_code: passed ? null : 22217,
    valid,
    invalid,
  };
}

function profileResult(req: PolicySpec["profiles"][number], s: EvaluationSubject): RequirementResult {
  const types = req.alternatives.map((a) => a.type);
  const profile = s.profiles.find((p) => types.includes(PROFILE_TYPE[p.policy_sid] ?? ""));
  const type = profile ? PROFILE_TYPE[profile.policy_sid] : types[0];
  const name = req.alternatives.find((a) => a.type === type)?.name ?? req.name;
  const base = {
    requirement_name: req.requirement_name,
    requirement_friendly_name: req.name,
    object_type: type,
  };
  if (!profile) {
    const failure_reason = `A ${req.name} is missing. Please add one to the regulatory bundle.`;
    return {
      ...base,
      friendly_name: name,
      passed: false,
      failure_reason,
      error_code: 22216,
      valid: [],
      invalid: [],
    };
  }
  const accepted = ACCEPTED_SUPPORT_STATUS[type] ?? DEFAULT_SUPPORT_STATUS;
  if (!accepted.includes(profile.status)) {
    const reason = `The ${name} ${profile.sid} is ${profile.status}; it must be ${accepted.join(" or ")}.`;
    const invalid = [bad("bundle_status", "Supporting Bundle Status", reason, 22217)];
    return {
      ...base,
      friendly_name: name,
      passed: false,
      failure_reason: reason,
      error_code: 22217,
      valid: [],
      invalid,
    };
  }
  const valid = [ok("bundle_status", "Supporting Bundle Status")];
  return {
    ...base,
    friendly_name: name,
    passed: true,
    failure_reason: null,
    error_code: null,
    valid,
    invalid: [],
  };
}

export function evaluate(s: EvaluationSubject): {
  status: "compliant" | "noncompliant";
  results: RequirementResult[];
} {
  const results = [
    ...s.policy.endUsers.map((e) => endUserResult(e, s)).filter((r): r is RequirementResult => r !== null),
    ...s.policy.documents.map((d) => documentResult(d, s)),
    ...s.policy.profiles.map((p) => profileResult(p, s)),
  ];
  return { status: results.every((r) => r.passed) ? "compliant" : "noncompliant", results };
}
