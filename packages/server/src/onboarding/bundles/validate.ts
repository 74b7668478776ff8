/**
 * A bundle's data checked against the regulation's requirements before anything reaches Twilio
 * (docs/international.md, "Regulatory bundles"): every end-user field the regulation names and
 * no other (Twilio fails evaluations on attributes a regulation does not ask for), every group
 * of documents met by one document of an accepted type carrying that type's fields, and the
 * address where one is needed. One 422 `bundle_invalid` names every problem at once.
 */
import { SubtextError } from "../../kernel/errors.js";
import type { Requirements } from "./regulations.js";

export interface AddressInput {
  customer_name: string;
  street: string;
  street_secondary?: string;
  city: string;
  region: string;
  postal_code: string;
  iso_country: string;
}

export interface DocumentInput {
  type: string;
  /** A label for the document (Twilio's FriendlyName shows it to the reviewer). */
  name?: string;
  attributes: Record<string, unknown>;
}

export interface BundleData {
  email: string;
  end_user: Record<string, unknown>;
  documents: DocumentInput[];
  address: AddressInput | null;
}

interface Problem {
  path: string;
  code: string;
  message: string;
}

const present = (v: unknown) =>
  Array.isArray(v) ? v.length > 0 : typeof v === "string" ? v.trim() !== "" : v !== undefined && v !== null;

/** The document fields Subtext fills in itself: the address created for the bundle. */
const FILLED = new Set(["address_sids"]);

export function bundleProblems(req: Requirements, data: BundleData): Problem[] {
  const problems: Problem[] = [];
  if (!req.bundle_required) {
    problems.push({
      path: "/country",
      code: "bundle_not_needed",
      message: `${req.country} ${req.number_type.replace("_", "-")} numbers need no regulatory bundle.`,
    });
    return problems;
  }
  const wanted = new Set((req.end_user?.fields ?? []).map((f) => f.name));
  for (const f of req.end_user?.fields ?? []) {
    if (!present(data.end_user[f.name]))
      problems.push({
        path: `/end_user/${f.name}`,
        code: "required",
        message: `${f.label} is required for a ${req.end_user_type} end user.`,
      });
  }
  for (const name of Object.keys(data.end_user)) {
    if (!wanted.has(name))
      problems.push({
        path: `/end_user/${name}`,
        code: "not_in_regulation",
        message: `The regulation does not ask for ${name}; Twilio fails bundles with attributes it did not ask for.`,
      });
  }

  const accepted = new Map(req.documents.flatMap((g) => g.accepted.map((a) => [a.type, a] as const)));
  let needsAddress = req.address.required;
  data.documents.forEach((d, i) => {
    const type = accepted.get(d.type);
    if (!type) {
      problems.push({
        path: `/documents/${i}/type`,
        code: "document_type_not_accepted",
        message: `${d.type} is not a document this regulation accepts (${[...accepted.keys()].join(", ")}).`,
      });
      return;
    }
    for (const f of type.fields) {
      if (FILLED.has(f.name)) {
        needsAddress = true;
        continue;
      }
      if (!present(d.attributes[f.name]))
        problems.push({
          path: `/documents/${i}/attributes/${f.name}`,
          code: "required",
          message: `${f.label} is required on a ${type.name}.`,
        });
    }
    const expires = d.attributes.expiration_date;
    if (expires !== undefined && (typeof expires !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(expires)))
      problems.push({
        path: `/documents/${i}/attributes/expiration_date`,
        code: "invalid_date",
        message: "expiration_date is a day, YYYY-MM-DD.",
      });
  });
  for (const g of req.documents) {
    if (!data.documents.some((d) => g.accepted.some((a) => a.type === d.type)))
      problems.push({
        path: "/documents",
        code: "document_missing",
        message: `${g.name}: add one of ${g.accepted.map((a) => a.type).join(", ")}.`,
      });
  }

  if (needsAddress && !data.address)
    problems.push({
      path: "/address",
      code: "required",
      message:
        req.address.where === "locality"
          ? `An address in ${req.country}, in the city of the numbers to buy, is required.`
          : req.address.where === "country"
            ? `An address in ${req.country} is required.`
            : "An address is required.",
    });
  if (
    data.address &&
    (req.address.where === "country" || req.address.where === "locality") &&
    data.address.iso_country.toUpperCase() !== req.country
  )
    problems.push({
      path: "/address/iso_country",
      code: "address_outside_country",
      message: `The address must be in ${req.country}.`,
    });
  return problems;
}

export function assertValidBundle(req: Requirements, data: BundleData): void {
  const problems = bundleProblems(req, data);
  if (problems.length === 0) return;
  throw new SubtextError(
    "bundle_invalid",
    422,
    `The bundle does not meet Twilio's ${req.regulation_name ?? `${req.country} ${req.number_type}`} regulation: ${problems.map((p) => p.path).join(", ")}.`,
    {
      hint: `GET /v1/regulations?country=${req.country}&number_type=${req.number_type}&end_user_type=${req.end_user_type} lists what it needs.`,
      details: problems,
    },
  );
}
