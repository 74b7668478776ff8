/**
 * Which senders can reach each country, as data: alphanumeric sender IDs, local long codes,
 * short codes and toll-free numbers, from Twilio's per-country SMS and short-code guidelines.
 * A country not listed gets `DEFAULT_SENDER_OPTIONS`. The regulatory bundle behind a local number
 * is in `./bundles.ts`; the choice for one send is `senderPlanFor` in `./sender-plan.ts`.
 */
import { normalizeCountry, type ReviewTime, type Sourced } from "./sourced.js";

/** Alphanumeric sender IDs: usable as is, only once registered, or not at all. */
export type AlphanumericStatus = "allowed" | "registration_required" | "not_supported";

/** Twilio's names for the kinds of long code a country sells. */
export type LongCodeType = "local" | "mobile" | "national";

export interface AlphanumericOption extends Sourced {
  status: AlphanumericStatus;
  /** What and where to register, when `status` is "registration_required". */
  registration?: string;
  review_time?: ReviewTime;
}

export interface LongCodeOption extends Sourced {
  /** Twilio sells SMS-capable numbers of this country. */
  available: boolean;
  /** Application-to-person traffic is allowed from them (FR and MX mobiles are P2P only). */
  a2p: boolean;
  number_types: readonly LongCodeType[];
  /** A regulatory bundle (end user + documents) must be approved before the number is bought. */
  bundle_required: boolean;
}

export interface ShortCodeOption extends Sourced {
  available: boolean;
  review_time?: ReviewTime;
}

export interface TollFreeOption extends Sourced {
  /** Toll-free numbers of this country can send SMS. */
  usable: boolean;
  /** The verification they need first. */
  registration?: string;
  review_time?: ReviewTime;
}

export interface CountrySenderOptions {
  country: string;
  name: string;
  /** Whether Twilio supports two-way SMS in the country ("Two-way SMS supported"). */
  two_way: Sourced & { supported: boolean };
  /** Always one-way: replies and STOP need a fallback number or another stated path. */
  alphanumeric: AlphanumericOption;
  long_code: LongCodeOption;
  short_code: ShortCodeOption;
  toll_free: TollFreeOption;
  /** Other countries whose long codes and toll-free numbers carry A2P traffic here. */
  foreign_numbers?: Sourced & { from: readonly string[] };
}

const sms = (cc: string) => `https://www.twilio.com/en-us/guidelines/${cc}/sms`;
const shortCode = (cc: string) => `https://www.twilio.com/en-us/guidelines/${cc}/short-code`;
const regulatory = (cc: string) => `https://www.twilio.com/en-us/guidelines/${cc}/regulatory`;

const NO_TOLL_FREE_SMS = (cc: string): TollFreeOption => ({
  usable: false,
  source: sms(cc),
  confidence: "medium",
  note: "Toll-free SMS is a US/Canada product at Twilio; other countries' toll-free numbers are voice only.",
});

const weeks = (min: number, max: number): ReviewTime => ({ min_days: min * 7, max_days: max * 7 });

export const SENDER_OPTIONS: Readonly<Record<string, CountrySenderOptions>> = {
  US: {
    country: "US",
    name: "United States",
    two_way: { supported: true, source: sms("us"), confidence: "high" },
    alphanumeric: { status: "not_supported", source: sms("us"), confidence: "high" },
    long_code: {
      available: true,
      a2p: true,
      number_types: ["local"],
      bundle_required: false,
      source: sms("us"),
      confidence: "high",
      note: "A2P 10DLC brand and campaign registration first (Subtext's US registration paths), not a bundle.",
    },
    short_code: {
      available: true,
      review_time: weeks(8, 12),
      source: shortCode("us"),
      confidence: "medium",
      note: "Carrier review; Twilio quotes 8 to 12 weeks.",
    },
    toll_free: {
      usable: true,
      registration: "toll-free verification",
      review_time: { min_days: 3, max_days: 15 },
      source: "https://help.twilio.com/articles/5377174717595",
      confidence: "medium",
    },
    foreign_numbers: {
      from: ["CA"],
      source: sms("us"),
      confidence: "medium",
      note: "US and Canadian numbers share the North American numbering plan and reach each other.",
    },
  },
  CA: {
    country: "CA",
    name: "Canada",
    two_way: { supported: true, source: sms("ca"), confidence: "high" },
    alphanumeric: { status: "not_supported", source: sms("ca"), confidence: "high" },
    long_code: {
      available: true,
      a2p: true,
      number_types: ["local"],
      bundle_required: false,
      source: sms("ca"),
      confidence: "medium",
      note: "Canadian carriers filter high-volume A2P on long codes; toll-free or a short code suits volume.",
    },
    short_code: {
      available: true,
      review_time: weeks(8, 12),
      source: shortCode("ca"),
      confidence: "medium",
    },
    toll_free: {
      usable: true,
      registration: "toll-free verification",
      review_time: { min_days: 3, max_days: 15 },
      source: "https://help.twilio.com/articles/5377174717595",
      confidence: "medium",
    },
    foreign_numbers: {
      from: ["US"],
      source: sms("ca"),
      confidence: "medium",
      note: "US and Canadian numbers share the North American numbering plan and reach each other.",
    },
  },
  GB: {
    country: "GB",
    name: "United Kingdom",
    two_way: { supported: true, source: sms("gb"), confidence: "high" },
    alphanumeric: {
      status: "allowed",
      source: sms("gb"),
      confidence: "medium",
      note: "Dynamic sender IDs need no registration. UK carriers block IDs that impersonate brands (the SMS SenderID Protection Registry).",
    },
    long_code: {
      available: true,
      a2p: true,
      number_types: ["mobile"],
      bundle_required: true,
      source: regulatory("gb"),
      confidence: "medium",
      note: "SMS-capable UK numbers are mobiles (+447); Twilio asks for a bundle before purchase.",
    },
    short_code: {
      available: true,
      review_time: weeks(12, 16),
      source: shortCode("gb"),
      confidence: "high",
      note: "Carriers freeze provisioning from mid-December to early January.",
    },
    toll_free: NO_TOLL_FREE_SMS("gb"),
  },
  DE: {
    country: "DE",
    name: "Germany",
    two_way: { supported: true, source: sms("de"), confidence: "medium" },
    alphanumeric: {
      status: "allowed",
      source: sms("de"),
      confidence: "medium",
      note: "Dynamic sender IDs without registration, as we read Twilio's page; re-check before relying on it.",
    },
    long_code: {
      available: true,
      a2p: true,
      number_types: ["mobile"],
      bundle_required: true,
      source: regulatory("de"),
      confidence: "high",
      note: "Mobile prefixes +49157 and +49158; business end users with a commercial register excerpt.",
    },
    short_code: {
      available: true,
      source: shortCode("de"),
      confidence: "medium",
      note: "Three-month minimum term; a code without traffic may be withdrawn. Review time not published.",
    },
    toll_free: NO_TOLL_FREE_SMS("de"),
  },
  FR: {
    country: "FR",
    name: "France",
    two_way: { supported: true, source: sms("fr"), confidence: "high" },
    alphanumeric: {
      status: "allowed",
      source: sms("fr"),
      confidence: "medium",
      note: "A2P to France goes by alphanumeric ID or short code; marketing from an alphanumeric ID carries the shared opt-out 'STOP au 36180'.",
    },
    long_code: {
      available: true,
      a2p: false,
      number_types: ["mobile"],
      bundle_required: true,
      source: "https://help.twilio.com/articles/223133827",
      confidence: "high",
      note: "French mobile numbers are for person-to-person messaging only; carriers block A2P from them.",
    },
    short_code: {
      available: true,
      source: shortCode("fr"),
      confidence: "medium",
      note: "Three-month minimum term; a code without traffic for 30 days may be withdrawn. Review time not published.",
    },
    toll_free: NO_TOLL_FREE_SMS("fr"),
  },
  ES: {
    country: "ES",
    name: "Spain",
    two_way: {
      supported: true,
      source: sms("es"),
      confidence: "low",
      note: "From a secondary summary of Twilio's page; we could not read the page itself in full.",
    },
    alphanumeric: {
      status: "allowed",
      source: sms("es"),
      confidence: "low",
      note: "No pre-registration in the sources we read; Spain has been introducing a sender ID register (CNMC), so check before relying on this.",
    },
    long_code: {
      available: true,
      a2p: true,
      number_types: ["mobile"],
      bundle_required: true,
      source: regulatory("es"),
      confidence: "low",
      note: "Spanish mobiles need a bundle as far as we could tell; whether carriers take A2P from them is unconfirmed.",
    },
    short_code: {
      available: true,
      source: shortCode("es"),
      confidence: "high",
      note: "Carriers freeze provisioning in August and December; the regulator is the CNMC.",
    },
    toll_free: NO_TOLL_FREE_SMS("es"),
  },
  AU: {
    country: "AU",
    name: "Australia",
    two_way: { supported: true, source: sms("au"), confidence: "high" },
    alphanumeric: {
      status: "registration_required",
      registration: "the ACMA SMS Sender ID Register, submitted through Twilio",
      source: "https://help.twilio.com/articles/46266521342747",
      confidence: "high",
      note: "From 1 July 2026 messages from unregistered sender IDs arrive as 'Unverified'.",
    },
    long_code: {
      available: true,
      a2p: true,
      number_types: ["mobile"],
      bundle_required: true,
      source: regulatory("au"),
      confidence: "medium",
      note: "Mobile prefix +614.",
    },
    short_code: {
      available: false,
      source: shortCode("au"),
      confidence: "low",
      note: "We found no Twilio short-code offer for Australia.",
    },
    toll_free: NO_TOLL_FREE_SMS("au"),
  },
  BR: {
    country: "BR",
    name: "Brazil",
    two_way: {
      supported: true,
      source: sms("br"),
      confidence: "low",
      note: "From a secondary summary of Twilio's page; we could not read the page itself in full.",
    },
    alphanumeric: {
      status: "registration_required",
      registration: "pre-registration with the Brazilian carriers through Twilio",
      review_time: weeks(10, 10),
      source: sms("br"),
      confidence: "low",
      note: "Sources disagree on whether alphanumeric IDs reach Brazil at all; a short code is the documented A2P path.",
    },
    long_code: {
      available: true,
      a2p: false,
      number_types: ["local", "mobile"],
      bundle_required: true,
      source: sms("br"),
      confidence: "low",
      note: "Domestic long codes are for person-to-person traffic.",
    },
    short_code: {
      available: true,
      source: shortCode("br"),
      confidence: "high",
      note: "Random five-digit, free to end user; carriers freeze provisioning from late November to mid-January.",
    },
    toll_free: NO_TOLL_FREE_SMS("br"),
  },
  IN: {
    country: "IN",
    name: "India",
    two_way: { supported: false, source: sms("in"), confidence: "high" },
    alphanumeric: {
      status: "registration_required",
      registration:
        "the operators' DLT portal for the entity, header and templates, then Twilio's sender ID form",
      source: "https://help.twilio.com/articles/21162166457755",
      confidence: "low",
      note: "Twilio's India SMS page says pre-registered IDs are not supported and traffic goes through ILDO routes with a random 5NNNN sender; its help article describes DLT registration. We require registration: the stricter reading.",
    },
    long_code: {
      available: false,
      a2p: false,
      number_types: [],
      bundle_required: false,
      source: sms("in"),
      confidence: "medium",
      note: "Any numeric sender is overwritten with a random short number; Twilio sells no SMS-capable Indian numbers.",
    },
    short_code: { available: false, source: sms("in"), confidence: "high" },
    toll_free: NO_TOLL_FREE_SMS("in"),
  },
  MX: {
    country: "MX",
    name: "Mexico",
    two_way: { supported: true, source: sms("mx"), confidence: "high" },
    alphanumeric: {
      status: "not_supported",
      source: sms("mx"),
      confidence: "medium",
      note: "Alphanumeric IDs are replaced by a generic number.",
    },
    long_code: {
      available: true,
      a2p: false,
      number_types: ["mobile"],
      bundle_required: false,
      source: sms("mx"),
      confidence: "high",
      note: "Mexican mobile numbers are for two-way person-to-person traffic only; Twilio points A2P at a US or Canadian long code or a short code.",
    },
    short_code: {
      available: true,
      source: shortCode("mx"),
      confidence: "high",
      note: "Three-month minimum term; marketing, alerts and OTP need the operators' prior approval of the content.",
    },
    toll_free: NO_TOLL_FREE_SMS("mx"),
    foreign_numbers: {
      from: ["US", "CA"],
      source: sms("mx"),
      confidence: "high",
      note: "Twilio: use a US or Canadian long code for A2P traffic to Mexico instead of a Mexican number.",
    },
  },
};

/** Countries without data: dynamic alphanumeric IDs work in most countries Twilio reaches. */
export const DEFAULT_SENDER_OPTIONS: Omit<CountrySenderOptions, "country" | "name"> = {
  two_way: {
    supported: false,
    source: "https://www.twilio.com/en-us/guidelines/sms",
    confidence: "low",
    note: "Unknown: look the country up before offering replies.",
  },
  alphanumeric: {
    status: "allowed",
    source: "https://help.twilio.com/articles/223133767",
    confidence: "low",
    note: "Twilio's list of countries supporting alphanumeric IDs; some need registration, so add the country's data before sending volume.",
  },
  long_code: {
    available: false,
    a2p: false,
    number_types: [],
    bundle_required: true,
    source: "https://www.twilio.com/en-us/guidelines/regulatory",
    confidence: "low",
  },
  short_code: { available: false, source: "https://www.twilio.com/en-us/guidelines/sms", confidence: "low" },
  toll_free: {
    usable: false,
    source: "https://www.twilio.com/en-us/guidelines/sms",
    confidence: "medium",
  },
};

/** The sender options for a country, the default for one without data; null for a bad code. */
export function senderOptionsFor(countryIso: string): CountrySenderOptions | null {
  const country = normalizeCountry(countryIso);
  if (!country) return null;
  return SENDER_OPTIONS[country] ?? { country, name: country, ...DEFAULT_SENDER_OPTIONS };
}
