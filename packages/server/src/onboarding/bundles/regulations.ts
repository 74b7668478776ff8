/**
 * What a regulatory bundle needs, read from Twilio's Regulation resource
 * (https://www.twilio.com/docs/phone-numbers/regulatory/api/regulations) and answered in
 * Subtext's shape: the end user's fields, the groups of supporting documents (each group met by
 * one document of an accepted type, with its fields) and whether an address is needed. Twilio
 * says regulations change and are not to be hard-coded, so they are read through the tenant's
 * client and kept for an hour per process. The address rule comes from the country data of
 * `@subtext/telecom/countries` (the Regulation resource does not state it) and from the
 * documents that carry `address_sids`.
 */
import { type AddressRequirement, bundleRequirementsFor } from "@subtext/telecom/countries";
import { SubtextError } from "../../kernel/errors.js";
import type { TenantRow } from "../../tenancy/tenants.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { twilioCall } from "../../twilio/errors.js";
import type { FlowDeps } from "../flows/step.js";

export type BundleNumberType = "local" | "mobile" | "toll_free";
export type EndUserKind = "business" | "individual";

export interface FieldView {
  name: string;
  label: string;
  description: string | null;
}

export interface AcceptedDocument {
  type: string;
  name: string;
  fields: FieldView[];
}

export interface DocumentGroup {
  requirement: string;
  name: string;
  description: string | null;
  accepted: AcceptedDocument[];
}

export interface Requirements {
  country: string;
  number_type: BundleNumberType;
  end_user_type: EndUserKind;
  /** False: numbers of this country and type need no bundle for this end-user type. */
  bundle_required: boolean;
  regulation_sid: string | null;
  regulation_name: string | null;
  end_user: { type: string; name: string; fields: FieldView[] } | null;
  documents: DocumentGroup[];
  address: {
    /** An address is collected (it is created at Twilio and passed when numbers are bought). */
    required: boolean;
    where: AddressRequirement;
  };
  review_time: { min_days: number; max_days: number };
}

/** Twilio spells number types with a hyphen (`toll-free`). */
export const twilioNumberType = (t: BundleNumberType) => (t === "toll_free" ? "toll-free" : t);

interface RawField {
  machine_name?: string;
  friendly_name?: string;
  description?: string;
}
interface RawRequirements {
  end_user?: { name?: string; type?: string; fields?: string[]; detailed_fields?: RawField[] }[];
  supporting_document?: {
    name?: string;
    requirement_name?: string;
    description?: string;
    accepted_documents?: { name?: string; type?: string; fields?: string[]; detailed_fields?: RawField[] }[];
  }[][];
}
interface RawRegulation {
  sid: string;
  friendlyName: string;
  isoCountry: string;
  numberType: string;
  endUserType: string;
  requirements: RawRequirements;
}

function fieldsOf(names: string[] | undefined, detailed: RawField[] | undefined): FieldView[] {
  return (names ?? []).map((name) => {
    const d = detailed?.find((f) => f.machine_name === name);
    return { name, label: d?.friendly_name ?? name, description: d?.description ?? null };
  });
}

/** The address rule of our country data for this end user, else the strictest for the number type. */
function addressRule(country: string, type: BundleNumberType, kind: EndUserKind): AddressRequirement {
  if (type === "toll_free") return "none";
  const entries = bundleRequirementsFor(country, type);
  const own = entries.find((e) => e.end_user_type === kind);
  if (own) return own.address;
  const order: AddressRequirement[] = ["none", "any", "country", "locality"];
  return entries.reduce<AddressRequirement>(
    (worst, e) => (order.indexOf(e.address) > order.indexOf(worst) ? e.address : worst),
    "none",
  );
}

function shape(
  country: string,
  type: BundleNumberType,
  kind: EndUserKind,
  r: RawRegulation | undefined,
): Requirements {
  const where = r ? addressRule(country, type, kind) : "none";
  if (!r) {
    return {
      country,
      number_type: type,
      end_user_type: kind,
      bundle_required: false,
      regulation_sid: null,
      regulation_name: null,
      end_user: null,
      documents: [],
      address: { required: false, where },
      review_time: { min_days: 0, max_days: 0 },
    };
  }
  const eu = r.requirements?.end_user?.[0];
  const documents: DocumentGroup[] = (r.requirements?.supporting_document ?? []).map((group) => {
    const g = group[0] ?? {};
    return {
      requirement: g.requirement_name ?? "document",
      name: g.name ?? g.requirement_name ?? "Document",
      description: g.description ?? null,
      accepted: (g.accepted_documents ?? []).map((a) => ({
        type: a.type ?? "",
        name: a.name ?? a.type ?? "",
        fields: fieldsOf(a.fields, a.detailed_fields),
      })),
    };
  });
  const review = bundleRequirementsFor(country, type === "toll_free" ? undefined : type)[0]?.review_time;
  return {
    country,
    number_type: type,
    end_user_type: kind,
    bundle_required: true,
    regulation_sid: r.sid,
    regulation_name: r.friendlyName,
    end_user: eu
      ? { type: eu.type ?? kind, name: eu.name ?? kind, fields: fieldsOf(eu.fields, eu.detailed_fields) }
      : null,
    documents,
    address: { required: where !== "none", where },
    review_time: review
      ? { min_days: review.min_days, max_days: review.max_days }
      : { min_days: 1, max_days: 3 },
  };
}

const HOUR = 3_600_000;

/** The regulations Twilio lists for a country and number type (every end-user type), cached. */
async function regulationsOf(
  deps: FlowDeps,
  tenant: TenantRow,
  country: string,
  type: BundleNumberType,
): Promise<RawRegulation[]> {
  const cache = deps.caches.space<RawRegulation[]>("regulations", { ttlMs: HOUR });
  return cache.through(`${country}:${type}`, async () => {
    const client = await tenantTwilio(deps, tenant);
    const found = await twilioCall("read the regulations", () =>
      client.numbers.v2.regulatoryCompliance.regulations.list({
        isoCountry: country,
        numberType: twilioNumberType(type),
        limit: 20,
      }),
    );
    return found.map((r) => ({
      sid: r.sid,
      friendlyName: r.friendlyName,
      isoCountry: r.isoCountry,
      numberType: r.numberType,
      endUserType: r.endUserType,
      requirements: (r.requirements ?? {}) as RawRequirements,
    }));
  });
}

export async function readRequirements(
  deps: FlowDeps,
  tenant: TenantRow,
  input: { country: string; number_type: BundleNumberType; end_user_type: EndUserKind },
): Promise<Requirements> {
  const country = input.country.toUpperCase();
  const regs = await regulationsOf(deps, tenant, country, input.number_type);
  const own = regs.find((r) => r.endUserType === input.end_user_type);
  if (!own && regs.length > 0) {
    throw new SubtextError(
      "end_user_type_not_accepted",
      422,
      `${country} ${input.number_type.replace("_", "-")} numbers are not sold to ${input.end_user_type} end users.`,
      {
        hint: `Twilio's regulations for them are for ${regs.map((r) => r.endUserType).join(", ")} end users.`,
        details: [{ path: "/end_user_type", code: "end_user_type_not_accepted" }],
      },
    );
  }
  return shape(country, input.number_type, input.end_user_type, own);
}

/** Whether buying a number of this country and type needs an approved bundle (any regulation names it). */
export async function bundleNeeded(
  deps: FlowDeps,
  tenant: TenantRow,
  country: string,
  type: BundleNumberType,
): Promise<boolean> {
  const c = country.toUpperCase();
  if (c === "US" || c === "CA") return false;
  return (await regulationsOf(deps, tenant, c, type)).length > 0;
}
