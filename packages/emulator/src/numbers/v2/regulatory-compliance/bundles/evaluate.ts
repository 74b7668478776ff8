import { REQUIRED_DOCUMENT_FIELDS, type Regulation, documentType, endUserType } from "../catalog.js";

/**
 * A bundle checked against its regulation, as Twilio's Evaluations resource reports it: one
 * result per requirement (the end user, then each group of accepted documents) with the fields
 * that passed (`valid`) and those that did not (`invalid`). Codes, as the emulator's Trust Hub
 * evaluations use them: 22214 end user missing, 22215 end-user field missing, 22216 document
 * missing, 22217 document field missing, 22219 address missing or in the wrong country.
 * Pure: the caller gathers the items and resolves addresses.
 */
export interface EvaluationInput {
  regulation: Regulation;
  endUsers: { sid: string; type: string; attributes: Record<string, unknown> }[];
  documents: { sid: string; type: string; attributes: Record<string, unknown> }[];
  address: (sid: string) => { iso_country: string; city: string } | undefined;
}

interface FieldResult {
  object_field: string;
  friendly_name: string;
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

const present = (v: unknown) =>
  Array.isArray(v) ? v.length > 0 : typeof v === "string" ? v.trim() !== "" : v !== undefined && v !== null;

export function addressSidsOf(attributes: Record<string, unknown>): string[] {
  const v = attributes.address_sids;
  if (typeof v === "string") return v ? [v] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function endUserResult(input: EvaluationInput): RequirementResult {
  const { regulation } = input;
  const type = endUserType(regulation.end_user_type)!;
  const base = {
    requirement_name: `${type.machine_name}_info`,
    requirement_friendly_name: type.friendly_name,
    object_type: type.machine_name,
    friendly_name: type.friendly_name,
  };
  const user = input.endUsers.find((e) => e.type === type.machine_name);
  if (!user)
    return {
      ...base,
      passed: false,
      failure_reason: `A ${type.friendly_name} End-User is missing. Please add one to the regulatory bundle.`,
      error_code: 22214,
      valid: [],
      invalid: [],
    };
  const valid: FieldResult[] = [];
  const invalid: FieldResult[] = [];
  for (const name of regulation.end_user_fields) {
    const spec = type.fields.find((f) => f.machine_name === name)!;
    if (present(user.attributes[name]))
      valid.push({
        object_field: name,
        friendly_name: spec.friendly_name,
        failure_reason: null,
        error_code: null,
      });
    else
      invalid.push({
        object_field: name,
        friendly_name: spec.friendly_name,
        failure_reason: `The ${spec.friendly_name} is missing. Please enter a ${spec.friendly_name} on the ${type.friendly_name} information.`,
        error_code: 22215,
      });
  }
  return {
    ...base,
    passed: invalid.length === 0,
    failure_reason: invalid.length ? invalid.map((i) => i.failure_reason).join(" ") : null,
    error_code: invalid.length ? 22215 : null,
    valid,
    invalid,
  };
}

function documentResult(input: EvaluationInput, index: number): RequirementResult {
  const req = input.regulation.documents[index];
  const base = {
    requirement_name: req.requirement_name,
    requirement_friendly_name: req.name,
    object_type: "document",
    friendly_name: req.name,
  };
  const candidates = input.documents.filter((d) => req.accepted.includes(d.type));
  if (candidates.length === 0) {
    const names = req.accepted.map((a) => documentType(a)!.friendly_name).join(" or ");
    return {
      ...base,
      passed: false,
      failure_reason: `A ${req.name} document is missing: assign one of ${names}.`,
      error_code: 22216,
      valid: [],
      invalid: [],
    };
  }
  // The best candidate is the one with the fewest problems (all candidates are reported on).
  const checked = candidates.map((d) => checkDocument(input, d));
  checked.sort((a, b) => a.invalid.length - b.invalid.length);
  const { valid, invalid } = checked[0];
  return {
    ...base,
    passed: invalid.length === 0,
    failure_reason: invalid.length ? invalid.map((i) => i.failure_reason).join(" ") : null,
    error_code: invalid.length ? (invalid[0].error_code ?? 22217) : null,
    valid,
    invalid,
  };
}

function checkDocument(input: EvaluationInput, d: EvaluationInput["documents"][number]) {
  const type = documentType(d.type)!;
  const valid: FieldResult[] = [];
  const invalid: FieldResult[] = [];
  for (const name of REQUIRED_DOCUMENT_FIELDS[type.machine_name] ?? []) {
    const spec = type.fields.find((f) => f.machine_name === name)!;
    if (!present(d.attributes[name])) {
      invalid.push({
        object_field: name,
        friendly_name: spec.friendly_name,
        failure_reason: `The ${spec.friendly_name} of the ${type.friendly_name} is missing.`,
        error_code: name === "address_sids" ? 22219 : 22217,
      });
      continue;
    }
    if (name !== "address_sids") {
      valid.push({
        object_field: name,
        friendly_name: spec.friendly_name,
        failure_reason: null,
        error_code: null,
      });
      continue;
    }
    const problem = addressProblem(input, addressSidsOf(d.attributes));
    if (problem)
      invalid.push({
        object_field: name,
        friendly_name: spec.friendly_name,
        failure_reason: problem,
        error_code: 22219,
      });
    else
      valid.push({
        object_field: name,
        friendly_name: spec.friendly_name,
        failure_reason: null,
        error_code: null,
      });
  }
  return { valid, invalid };
}

/** Every address must exist in the account; for `local`/`locality` rules, in the regulation's country. */
function addressProblem(input: EvaluationInput, sids: string[]): string | null {
  const { regulation } = input;
  for (const sid of sids) {
    const a = input.address(sid);
    if (!a) return `Address not found with sid ${sid}.`;
    if (
      (regulation.address === "local" || regulation.address === "locality") &&
      a.iso_country !== regulation.iso_country
    )
      return `The address ${sid} is in ${a.iso_country}: this regulation needs an address in ${regulation.iso_country}.`;
  }
  return null;
}

export function evaluate(input: EvaluationInput): {
  status: "compliant" | "noncompliant";
  results: RequirementResult[];
} {
  const results = [
    endUserResult(input),
    ...input.regulation.documents.map((_, i) => documentResult(input, i)),
  ];
  return { status: results.every((r) => r.passed) ? "compliant" : "noncompliant", results };
}
