/**
 * Rules on the `business` part: who is registering.
 */
import type { RegistrationKind } from "../document.js";
import { BUSINESS_INDUSTRIES, BUSINESS_TYPES, COMPANY_TYPES, REGIONS_OF_OPERATION } from "./catalog.js";
import { checkEmail, checkOtpMobile, checkPhone, checkUrl } from "./contact.js";
import { error, record, type Report, text, texts, warning } from "./finding.js";

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

const POSTAL_CODES: Record<string, RegExp> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i,
};

export function checkAddress(
  report: Report,
  path: string,
  value: unknown,
  options: { usOrCaOnly?: boolean } = {},
) {
  const address = record(value);
  const country = text(address.iso_country);
  if (!country) return;
  if (!/^[A-Z]{2}$/.test(country) || !regionNames.of(country)) {
    report(
      error(
        `${path}.iso_country`,
        "country_code_invalid",
        `"${country}" is not an ISO 3166 country code.`,
        'Use the two-letter code in capitals, e.g. "US" or "CA".',
      ),
    );
    return;
  }
  if (options.usOrCaOnly && country !== "US" && country !== "CA") {
    report(
      error(
        `${path}.iso_country`,
        "address_not_us_ca",
        "A sole proprietor brand needs a US or Canadian address.",
        "Register a business outside the US and Canada as a standard or low-volume standard brand.",
      ),
    );
  }
  const postal = text(address.postal_code);
  const pattern = POSTAL_CODES[country];
  if (postal && pattern && !pattern.test(postal)) {
    report(
      error(
        `${path}.postal_code`,
        "postal_code_invalid",
        `"${postal}" is not a valid ${country} postal code.`,
        country === "US" ? "Use a 5-digit ZIP code (or ZIP+4: 12345-6789)." : 'Use the "A1A 1A1" form.',
      ),
    );
  }
}

// An account id, e-mail or URL is not a brand name (sole proprietor walkthrough).
const IDENTIFIER = /@|^https?:|^www\.|^\S*\d{4,}\S*$|^\S+_\S+$|^[0-9a-f]{8}-[0-9a-f]{4}/i;

export function checkSoleProprietorBusiness(report: Report, business: Record<string, unknown>): void {
  checkEmail(report, "business.email", business.email);
  checkPhone(report, "business.phone_number", business.phone_number);
  checkOtpMobile(report, "business.mobile_phone_number", business.mobile_phone_number);
  checkAddress(report, "business.address", business.address, { usOrCaOnly: true });
  const brand = text(business.brand_name);
  if (brand && IDENTIFIER.test(brand)) {
    report(
      error(
        "business.brand_name",
        "brand_name_is_identifier",
        `"${brand}" looks like an identifier, e-mail or web address, not a name.`,
        "Use the business name (or DBA); without one, the person's first and last name.",
      ),
    );
  }
}

// Words that make a name a legal entity's name. Their absence suggests a trading (DBA) name,
// the most common brand rejection: the name must match the tax records exactly.
const ENTITY_WORDS =
  /\b(l\.?l\.?c|l\.?l\.?p|l\.?p|p\.?l\.?l\.?c|p\.?c|inc|incorporated|corp|corporation|co|company|ltd|limited|plc|gmbh|ag|s\.?a|s\.?a\.?s|sarl|b\.?v|n\.?v|pty|ulc|foundation|association|society|trust|church|university|college|school|district|cooperative|co-op)\b\.?$/i;

const EIN = /^\d{2}-?\d{7}$/;
// EIN prefixes the IRS has never assigned (IRS "How EINs are assigned" campus table).
const UNASSIGNED_EIN_PREFIXES = new Set([
  "00",
  "07",
  "08",
  "09",
  "17",
  "18",
  "19",
  "28",
  "29",
  "49",
  "69",
  "70",
  "78",
  "79",
  "89",
  "96",
  "97",
]);
// Canadian Business Number: 9 digits, optionally with a program account (RT0001).
const BN = /^\d{9}([A-Z]{2}\d{4})?$/;

function checkTaxId(report: Report, business: Record<string, unknown>): void {
  const taxId = text(business.tax_id);
  const country = text(business.tax_id_country);
  if (!taxId) return;
  if (country === "US" && !EIN.test(taxId)) {
    report(
      error("business.tax_id", "ein_invalid", `"${taxId}" is not an EIN.`, "An EIN is 9 digits: XX-XXXXXXX."),
    );
  } else if (country === "US" && UNASSIGNED_EIN_PREFIXES.has(taxId.slice(0, 2))) {
    report(
      warning(
        "business.tax_id",
        "ein_prefix_unassigned",
        `EINs never start with ${taxId.slice(0, 2)}.`,
        "Copy the EIN from the IRS letter (CP 575) or a tax return.",
      ),
    );
  } else if (country === "CA" && !BN.test(taxId.replace(/\s/g, ""))) {
    report(
      error(
        "business.tax_id",
        "business_number_invalid",
        `"${taxId}" is not a Canadian Business Number.`,
        "A BN is 9 digits, optionally followed by a program account such as RT0001.",
      ),
    );
  }
  if (country && (!/^[A-Z]{2}$/.test(country) || !regionNames.of(country))) {
    report(
      error(
        "business.tax_id_country",
        "country_code_invalid",
        `"${country}" is not an ISO 3166 country code.`,
        'Use e.g. "US".',
      ),
    );
  }
}

function checkEnum(
  report: Report,
  path: string,
  value: unknown,
  list: readonly string[],
  code: string,
): void {
  const v = text(value);
  if (v && !list.includes(v)) {
    report(error(path, code, `"${v}" is not one of Twilio's values.`, `Use one of: ${list.join(", ")}.`));
  }
}

export function checkOrganizationBusiness(report: Report, business: Record<string, unknown>): void {
  checkTaxId(report, business);
  checkEnum(
    report,
    "business.business_type",
    business.business_type,
    BUSINESS_TYPES,
    "business_type_unknown",
  );
  checkEnum(
    report,
    "business.business_industry",
    business.business_industry,
    BUSINESS_INDUSTRIES,
    "business_industry_unknown",
  );
  checkEnum(report, "business.company_type", business.company_type, COMPANY_TYPES, "company_type_unknown");
  texts(business.regions_of_operation).forEach((region, i) => {
    checkEnum(report, `business.regions_of_operation[${i}]`, region, REGIONS_OF_OPERATION, "region_unknown");
  });
  checkUrl(report, "business.website", business.website);
  checkAddress(report, "business.address", business.address);
  const contact = record(business.contact);
  checkEmail(report, "business.contact.email", contact.email, { business: true });
  checkPhone(report, "business.contact.phone_number", contact.phone_number);

  if (
    text(business.company_type) === "public" &&
    (!text(business.stock_exchange) || !text(business.stock_ticker))
  ) {
    report(
      error(
        text(business.stock_exchange) ? "business.stock_ticker" : "business.stock_exchange",
        "stock_info_required",
        "A public company must give its stock exchange and ticker.",
        'Add stock_exchange (e.g. "NASDAQ") and stock_ticker.',
      ),
    );
  }

  const legalName = text(business.legal_name);
  const type = text(business.business_type);
  // Sole proprietorships and partnerships trade under personal names; many non-profits have no suffix.
  const needsEntityWord =
    type !== "Sole Proprietorship" && type !== "Partnership" && type !== "Non-profit Corporation";
  if (legalName && needsEntityWord && !ENTITY_WORDS.test(legalName)) {
    report(
      warning(
        "business.legal_name",
        "legal_name_without_entity_suffix",
        `"${legalName}" has no entity suffix (LLC, Inc., Corp., Ltd., …); it may be a trading name.`,
        "Use the legal name exactly as on the EIN letter or tax records, suffix included.",
      ),
    );
  }
}

/** Names a sample may use to identify the sender: brand, legal name without suffix, domain. */
export function brandNames(
  kind: RegistrationKind,
  business: Record<string, unknown>,
  dba?: string,
): string[] {
  const names: string[] = [];
  if (kind === "sole_proprietor") {
    const brand = text(business.brand_name);
    if (brand) names.push(brand);
  } else {
    const legal = text(business.legal_name);
    if (legal) names.push(legal.replace(ENTITY_WORDS, "").replace(/[,\s]+$/, ""));
    if (dba) names.push(dba);
    const site = text(business.website);
    const host = site ? /^(?:https?:\/\/)?(?:www\.)?([^/:]+)/i.exec(site)?.[1] : undefined;
    if (host) names.push(host.split(".").slice(0, -1).join(" "));
  }
  return names.filter((n) => n.length > 0);
}
