import { TwilioError, notFound } from "../../core/errors.js";
import type { Params } from "../../core/form.js";
import type { Router } from "../../http/router.js";
import type { Capabilities, NumberType } from "./messages/collections.js";
import { friendlyNameOf, numberFacts, searchNumbers, type Search } from "./messages/numbering.js";

const COUNTRIES: Record<string, { name: string; types: Record<string, NumberType> }> = {
  US: { name: "United States", types: { Local: "local", TollFree: "toll_free" } },
  CA: { name: "Canada", types: { Local: "local", TollFree: "toll_free" } },
  GB: { name: "United Kingdom", types: { Local: "local", Mobile: "mobile", TollFree: "toll_free" } },
  DE: { name: "Germany", types: { Local: "local" } },
  AU: { name: "Australia", types: { Local: "local", Mobile: "mobile" } },
  BR: { name: "Brazil", types: { Local: "local" } },
  IN: { name: "India", types: { Local: "local" } },
};
const SUBRESOURCE = { Local: "local", TollFree: "toll_free", Mobile: "mobile" } as Record<string, string>;

function renderCountry(accountSid: string, code: string) {
  const base = `/2010-04-01/Accounts/${accountSid}/AvailablePhoneNumbers/${code}`;
  const country = COUNTRIES[code];
  return {
    country_code: code,
    country: country.name,
    uri: `${base}.json`,
    beta: false,
    subresource_uris: Object.fromEntries(
      Object.keys(country.types).map((t) => [SUBRESOURCE[t], `${base}/${t}.json`]),
    ),
  };
}

function renderAvailable(e164: string) {
  const facts = numberFacts(e164)!;
  const area = facts.type === "local" ? facts.area : undefined;
  return {
    friendly_name: friendlyNameOf(e164),
    phone_number: e164,
    lata: area?.lata ?? null,
    locality: area?.locality ?? facts.locality ?? null,
    rate_center: area ? area.locality.toUpperCase().replace(/\s+/g, " ") : null,
    latitude: area?.lat ?? null,
    longitude: area?.lon ?? null,
    region: area?.region ?? null,
    postal_code: area?.postal ?? null,
    iso_country: facts.iso_country,
    address_requirements: facts.address_requirements,
    beta: false,
    capabilities: { ...facts.capabilities },
  };
}

function searchFrom(input: Params, country: string, type: NumberType): Search {
  const limit = input.int("PageSize", 30)!;
  if (limit < 1 || limit > 1000) throw new TwilioError(20001, 400, "PageSize must be between 1 and 1000");
  const contains = input.str("Contains");
  if (contains !== undefined && contains.replace(/[^0-9A-Za-z*]/g, "").length < 2)
    throw new TwilioError(20001, 400, "Contains must be at least two characters of 0-9, A-Z and *");
  return {
    country,
    type,
    areaCode: input.str("AreaCode"),
    contains,
    inRegion: input.str("InRegion"),
    inLocality: input.str("InLocality"),
    inPostalCode: input.str("InPostalCode"),
    limit,
  };
}

/** Capability filters (SmsEnabled=true…) keep only numbers that have the capability. */
function capable(input: Params, e164: string): boolean {
  const caps = numberFacts(e164)!.capabilities;
  const wanted: [string, keyof Capabilities][] = [
    ["SmsEnabled", "sms"],
    ["MmsEnabled", "mms"],
    ["VoiceEnabled", "voice"],
    ["FaxEnabled", "fax"],
  ];
  return wanted.every(([param, cap]) => !input.has(param) || input.bool(param) === caps[cap]);
}

export function registerAvailablePhoneNumbers(r: Router) {
  const base = "/api/2010-04-01/Accounts/:AccountSid/AvailablePhoneNumbers";

  r.get(`${base}.json`, ({ account }) => ({
    status: 200,
    body: {
      countries: Object.keys(COUNTRIES).map((code) => renderCountry(account.sid, code)),
      uri: `/2010-04-01/Accounts/${account.sid}/AvailablePhoneNumbers.json`,
    },
  }));

  for (const [segment, type] of [
    ["Local", "local"],
    ["TollFree", "toll_free"],
    ["Mobile", "mobile"],
  ] as const) {
    r.get(`${base}/:CountryCode/${segment}.json`, ({ world, account, params, input }) => {
      const code = params.CountryCode.toUpperCase();
      if (!COUNTRIES[code]?.types[segment]) throw notFound(`${segment} numbers in ${params.CountryCode}`);
      const numbers = searchNumbers(world, searchFrom(input, code, type)).filter((n) => capable(input, n));
      return {
        status: 200,
        body: {
          available_phone_numbers: numbers.map(renderAvailable),
          uri: `/2010-04-01/Accounts/${account.sid}/AvailablePhoneNumbers/${code}/${segment}.json`,
        },
      };
    });
  }

  r.get(`${base}/:CountryCode.json`, ({ account, params }) => {
    const code = params.CountryCode.toUpperCase();
    if (!COUNTRIES[code]) throw notFound("AvailablePhoneNumberCountry");
    return { status: 200, body: renderCountry(account.sid, code) };
  });
}
