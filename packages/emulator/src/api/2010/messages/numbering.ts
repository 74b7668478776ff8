import type { World } from "../../../world.js";
import type { Capabilities, NumberType } from "./collections.js";
import { MAGIC_PURCHASE } from "./magic.js";
import { numberByE164 } from "./state.js";

/**
 * The numbering plan the emulator sells from: which numbers exist, what they can do, and
 * deterministic, plausible numbers for a search. Shared by AvailablePhoneNumbers (search) and
 * IncomingPhoneNumbers (buying).
 */
/** Where a number lives: what the emulator can tell from the digits alone. */
export interface NumberFacts {
  iso_country: string;
  type: NumberType;
  capabilities: Capabilities;
  address_requirements: "none" | "any" | "local";
  area?: AreaCode;
  /** The city of a local number outside North America (where a locality rule wants its address). */
  locality?: string;
}

/**
 * Numbers sold outside North America and the UK: one entry per country and type, with the
 * national prefixes the emulator sells from (plausible ranges, in the city named), the number's
 * national length, what it can do, and its address requirement (Twilio's `address_requirements`).
 * Any number of the pattern is a number of that type; buying one may need a regulatory bundle
 * (numbers/v2/regulatory-compliance/catalog.ts).
 */
interface AbroadRange {
  iso: string;
  cc: string;
  type: NumberType;
  pattern: RegExp;
  length: number;
  prefixes: { national: string; locality?: string }[];
  capabilities: Capabilities;
  address_requirements: "any" | "local";
}

const VOICE_ONLY: Capabilities = { voice: true, sms: false, mms: false, fax: false };
const SMS_VOICE: Capabilities = { voice: true, sms: true, mms: false, fax: false };

const ABROAD: AbroadRange[] = [
  {
    iso: "DE",
    cc: "+49",
    type: "local",
    pattern: /^\+49(30|89)\d{8}$/,
    length: 10,
    prefixes: [
      { national: "3090182", locality: "Berlin" },
      { national: "8912099", locality: "Munich" },
    ],
    capabilities: VOICE_ONLY,
    address_requirements: "local",
  },
  {
    iso: "AU",
    cc: "+61",
    type: "mobile",
    pattern: /^\+614\d{8}$/,
    length: 9,
    // ACMA's numbers reserved for fiction (0491 570 xxx).
    prefixes: [{ national: "491570" }, { national: "491571" }],
    capabilities: SMS_VOICE,
    address_requirements: "any",
  },
  {
    iso: "AU",
    cc: "+61",
    type: "local",
    pattern: /^\+61[2378]\d{8}$/,
    length: 9,
    prefixes: [
      { national: "25550", locality: "Sydney" },
      { national: "37010", locality: "Melbourne" },
    ],
    capabilities: VOICE_ONLY,
    address_requirements: "local",
  },
  {
    iso: "BR",
    cc: "+55",
    type: "local",
    pattern: /^\+55[1-9]{2}[2-5]\d{7}$/,
    length: 10,
    prefixes: [
      { national: "113090", locality: "Sao Paulo" },
      { national: "213090", locality: "Rio de Janeiro" },
    ],
    capabilities: VOICE_ONLY,
    address_requirements: "local",
  },
  {
    iso: "IN",
    cc: "+91",
    type: "local",
    pattern: /^\+91(80|22|11)\d{8}$/,
    length: 10,
    prefixes: [
      { national: "804719", locality: "Bengaluru" },
      { national: "224719", locality: "Mumbai" },
    ],
    capabilities: VOICE_ONLY,
    address_requirements: "local",
  },
];

/** The countries and number types on sale abroad (AvailablePhoneNumbers lists them). */
export const ABROAD_TYPES: { iso: string; type: NumberType }[] = ABROAD.map((a) => ({
  iso: a.iso,
  type: a.type,
}));

interface AreaCode {
  npa: string;
  country: "US" | "CA";
  region: string;
  locality: string;
  lata: string;
  lat: number;
  lon: number;
  postal: string;
}

// A catalogue of real area codes so that generated numbers carry plausible locality data.
const AREA_CODES: AreaCode[] = (
  [
    ["415", "US", "CA", "San Francisco", "722", 37.77, -122.42, "94103"],
    ["510", "US", "CA", "Oakland", "722", 37.8, -122.27, "94612"],
    ["213", "US", "CA", "Los Angeles", "730", 34.05, -118.24, "90012"],
    ["619", "US", "CA", "San Diego", "732", 32.72, -117.16, "92101"],
    ["206", "US", "WA", "Seattle", "674", 47.61, -122.33, "98101"],
    ["503", "US", "OR", "Portland", "672", 45.52, -122.68, "97204"],
    ["212", "US", "NY", "New York", "132", 40.71, -74.01, "10007"],
    ["718", "US", "NY", "Brooklyn", "132", 40.68, -73.94, "11201"],
    ["617", "US", "MA", "Boston", "128", 42.36, -71.06, "02108"],
    ["312", "US", "IL", "Chicago", "358", 41.88, -87.63, "60602"],
    ["217", "US", "IL", "Springfield", "362", 39.8, -89.65, "62701"],
    ["512", "US", "TX", "Austin", "558", 30.27, -97.74, "78701"],
    ["214", "US", "TX", "Dallas", "552", 32.78, -96.8, "75201"],
    ["713", "US", "TX", "Houston", "560", 29.76, -95.37, "77002"],
    ["305", "US", "FL", "Miami", "460", 25.77, -80.19, "33130"],
    ["407", "US", "FL", "Orlando", "458", 28.54, -81.38, "32801"],
    ["404", "US", "GA", "Atlanta", "438", 33.75, -84.39, "30303"],
    ["303", "US", "CO", "Denver", "656", 39.74, -104.99, "80202"],
    ["602", "US", "AZ", "Phoenix", "666", 33.45, -112.07, "85003"],
    ["702", "US", "NV", "Las Vegas", "721", 36.17, -115.14, "89101"],
    ["612", "US", "MN", "Minneapolis", "628", 44.98, -93.27, "55401"],
    ["313", "US", "MI", "Detroit", "340", 42.33, -83.05, "48226"],
    ["215", "US", "PA", "Philadelphia", "228", 39.95, -75.17, "19107"],
    ["202", "US", "DC", "Washington", "236", 38.9, -77.04, "20001"],
    ["615", "US", "TN", "Nashville", "468", 36.16, -86.78, "37201"],
    ["808", "US", "HI", "Hilo", "834", 19.72, -155.09, "96720"],
    ["416", "CA", "ON", "Toronto", "888", 43.65, -79.38, "M5H"],
    ["604", "CA", "BC", "Vancouver", "888", 49.28, -123.12, "V6B"],
    ["514", "CA", "QC", "Montreal", "888", 45.5, -73.57, "H2Y"],
  ] as const
).map(([npa, country, region, locality, lata, lat, lon, postal]) => ({
  npa,
  country,
  region,
  locality,
  lata,
  lat,
  lon,
  postal,
}));

const TOLL_FREE = ["800", "833", "844", "855", "866", "877", "888"];
const NANP_CAPS: Capabilities = { voice: true, sms: true, mms: true, fax: false };

/** Country, type and capabilities of a number; null when the emulator does not sell such numbers. */
export function numberFacts(e164: string): NumberFacts | null {
  if (/^\+1[2-9]\d{2}[2-9]\d{6}$/.test(e164) || e164 === MAGIC_PURCHASE.available) {
    const npa = e164.slice(2, 5);
    if (TOLL_FREE.includes(npa))
      return { iso_country: "US", type: "toll_free", capabilities: NANP_CAPS, address_requirements: "none" };
    const area = AREA_CODES.find((a) => a.npa === npa);
    const country = area?.country ?? "US";
    return {
      iso_country: country,
      type: "local",
      capabilities: NANP_CAPS,
      address_requirements: "none",
      area,
    };
  }
  // United Kingdom: mobiles (07) text, landlines and freephone (080) do not.
  if (/^\+447\d{9}$/.test(e164))
    return {
      iso_country: "GB",
      type: "mobile",
      capabilities: { voice: true, sms: true, mms: false, fax: false },
      address_requirements: "any",
    };
  if (/^\+44[1-3589]\d{8,9}$/.test(e164))
    return {
      iso_country: "GB",
      type: e164.startsWith("+4480") ? "toll_free" : "local",
      capabilities: { voice: true, sms: false, mms: false, fax: false },
      address_requirements: "any",
    };
  const abroad = ABROAD.find((a) => a.pattern.test(e164));
  if (abroad) {
    const national = e164.slice(abroad.cc.length);
    return {
      iso_country: abroad.iso,
      type: abroad.type,
      capabilities: { ...abroad.capabilities },
      address_requirements: abroad.address_requirements,
      locality: abroad.prefixes.find((p) => national.startsWith(p.national.slice(0, 2)))?.locality,
    };
  }
  return null;
}

export function friendlyNameOf(e164: string): string {
  if (e164.startsWith("+1") && e164.length === 12)
    return `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
  return e164;
}

export interface Search {
  country: string;
  type: NumberType;
  areaCode?: string;
  contains?: string;
  inRegion?: string;
  inLocality?: string;
  inPostalCode?: string;
  limit: number;
}

/**
 * Numbers for sale, generated deterministically from the search (the same search answers the
 * same numbers), minus those anyone already owns. Magic area codes: 533 has none, 500 offers
 * the magic +15005550006.
 */
export function searchNumbers(world: World, search: Search): string[] {
  if (search.areaCode === MAGIC_PURCHASE.emptyAreaCode) return [];
  if (search.areaCode === MAGIC_PURCHASE.magicAreaCode)
    return numberByE164(world, MAGIC_PURCHASE.available) ? [] : [MAGIC_PURCHASE.available];
  const prefixes = prefixesFor(search);
  const pattern = search.contains ? keypad(search.contains) : null;
  if (prefixes.length === 0 || pattern === "") return [];
  const random = mulberry32(hash(JSON.stringify({ ...search, limit: 0 })));
  const found = new Set<string>();
  for (let attempt = 0; attempt < search.limit * 40 && found.size < search.limit; attempt++) {
    const prefix = prefixes[Math.floor(random() * prefixes.length)];
    const national = fill(random, prefix);
    const chosen = pattern ? overlay(national, pattern, prefix.national.length) : national;
    if (!chosen) continue;
    const e164 = prefix.cc + chosen;
    if (!numberFacts(e164) || numberByE164(world, e164)) continue;
    found.add(e164);
  }
  return [...found];
}

interface Prefix {
  cc: string;
  national: string;
  length: number;
}

function prefixesFor(search: Search): Prefix[] {
  const { country, type } = search;
  if (country === "GB") {
    // Ofcom's ranges reserved for drama: plausible, never anyone's real number.
    const gb = { local: ["2079460", "1614960"], mobile: ["7700900"], toll_free: ["8081570"] }[type];
    return gb.map((national) => ({ cc: "+44", national, length: 10 }));
  }
  const abroad = ABROAD.find((a) => a.iso === country && a.type === type);
  if (abroad)
    return abroad.prefixes
      .filter((p) => !search.inLocality || p.locality?.toLowerCase() === search.inLocality.toLowerCase())
      .map((p) => ({ cc: abroad.cc, national: p.national, length: abroad.length }));
  if (country !== "US" && country !== "CA") return [];
  if (type === "toll_free") {
    const codes = search.areaCode ? TOLL_FREE.filter((c) => c === search.areaCode) : TOLL_FREE;
    return codes.map((npa) => ({ cc: "+1", national: npa, length: 10 }));
  }
  if (type !== "local") return [];
  if (search.areaCode) {
    if (!/^[2-9]\d{2}$/.test(search.areaCode) || TOLL_FREE.includes(search.areaCode)) return [];
    const known = AREA_CODES.find((a) => a.npa === search.areaCode);
    if (known && known.country !== country) return [];
    return [{ cc: "+1", national: search.areaCode, length: 10 }];
  }
  return AREA_CODES.filter(
    (a) =>
      a.country === country &&
      (!search.inRegion || a.region === search.inRegion.toUpperCase()) &&
      (!search.inLocality || a.locality.toLowerCase() === search.inLocality.toLowerCase()) &&
      (!search.inPostalCode || a.postal === search.inPostalCode),
  ).map((a) => ({ cc: "+1", national: a.npa, length: 10 }));
}

/** Writes a Contains pattern (digits and `*`) over the end of the number, keeping the prefix. */
function overlay(national: string, pattern: string, fixed: number): string | null {
  if (pattern.length > national.length) return null;
  const start = national.length - pattern.length;
  const chars = national.split("");
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i];
    if (want === "*") continue;
    if (start + i < fixed && chars[start + i] !== want) return null;
    chars[start + i] = want;
  }
  return chars.join("");
}

/** `Contains` accepts letters as on a phone keypad (1-800-FLOWERS); other characters are invalid. */
function keypad(contains: string): string {
  const keys = "22233344455566677778889999";
  let out = "";
  for (const ch of contains.toUpperCase()) {
    if (/[0-9*]/.test(ch)) out += ch;
    else if (/[A-Z]/.test(ch)) out += keys[ch.charCodeAt(0) - 65];
    else if (ch !== "+") return "";
  }
  return out.replace(/^1(?=\d{10}$)/, "");
}

/** The digits after the prefix: NANP exchanges start with 2-9 and avoid N11 and the fictional 555. */
function fill(random: () => number, prefix: Prefix): string {
  const draw = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join("");
  if (prefix.cc !== "+1") return prefix.national + draw(prefix.length - prefix.national.length);
  let exchange = "555";
  while (exchange === "555" || exchange.endsWith("11")) exchange = String(200 + Math.floor(random() * 800));
  return prefix.national + exchange + draw(4);
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
