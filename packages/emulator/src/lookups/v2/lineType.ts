import type { World } from "../../world.js";
import { TOLL_FREE } from "./numbering.js";

/** Lookups v2 line types (Twilio's spelling). */
export type LineType =
  | "mobile"
  | "landline"
  | "fixedVoip"
  | "nonFixedVoip"
  | "tollFree"
  | "personal"
  | "pager"
  | "voicemail"
  | "sharedCost"
  | "uan"
  | "unknown";

export interface LineTypeIntelligence {
  carrier_name: string | null;
  type: LineType;
  mobile_country_code: string | null;
  mobile_network_code: string | null;
  error_code: number | null;
}

/** Written by the messaging area (`PUT /_emulator/carriers/{e164}`). */
export const CARRIERS = "carriers";
const NUMBERS = "incoming_phone_numbers";

interface CarrierDoc {
  sid: string;
  carrier?: string;
  line_type?: string;
}

/** US wireless carriers with their real MCC/MNC, picked deterministically per number. */
const US_MOBILE = [
  { carrier_name: "T-Mobile USA, Inc.", mobile_country_code: "310", mobile_network_code: "260" },
  { carrier_name: "AT&T Wireless", mobile_country_code: "310", mobile_network_code: "410" },
  { carrier_name: "Verizon Wireless", mobile_country_code: "311", mobile_network_code: "480" },
];
const US_LANDLINE = ["AT&T Local", "Verizon Business", "Lumen Technologies"];
/** What Lookups answers for Twilio's own long codes. */
const TWILIO_CARRIER = {
  carrier_name: "Twilio - SMS/MMS-SVR",
  mobile_country_code: "311",
  mobile_network_code: "950",
};

/** The carrier name the tests can rely on for a number: digit sum mod 3 over the E.164 digits. */
export function carrierIndex(e164: string): number {
  let sum = 0;
  for (const ch of e164) if (ch >= "0" && ch <= "9") sum += ch.charCodeAt(0) - 48;
  return sum % 3;
}

/** Accepts the messaging area's spelling (voip, toll_free…) and Lookups' own. */
function normalise(lineType: string): LineType {
  const key = lineType.replace(/[-_\s]/g, "").toLowerCase();
  const map: Record<string, LineType> = {
    mobile: "mobile",
    wireless: "mobile",
    landline: "landline",
    fixed: "landline",
    voip: "nonFixedVoip",
    nonfixedvoip: "nonFixedVoip",
    fixedvoip: "fixedVoip",
    tollfree: "tollFree",
    personal: "personal",
    pager: "pager",
    voicemail: "voicemail",
    sharedcost: "sharedCost",
    uan: "uan",
  };
  return map[key] ?? "unknown";
}

/**
 * Line type and carrier of a valid E.164 number. In order:
 * 1. the `carriers` collection (scripted per number by tests);
 * 2. one of our own IncomingPhoneNumbers → nonFixedVoip "Twilio - SMS/MMS-SVR" (tollFree for toll-free);
 * 3. defaults: NANP toll-free area codes → tollFree; Twilio's magic "not a mobile" number
 *    +15005550009 → landline; every other NANP number → mobile, carrier by digit sum mod 3
 *    (0 T-Mobile USA, 1 AT&T Wireless, 2 Verizon Wireless). Outside NANP: mobile on the
 *    test network 001/01 ("Emulated Mobile").
 * Unknown numbers are mobiles, as the messaging area delivers to them; a landline is scripted
 * with `PUT /_emulator/carriers/{e164} {"line_type":"landline"}`.
 */
export function lineTypeOf(world: World, e164: string): LineTypeIntelligence {
  const scripted = world.store.get<CarrierDoc>(CARRIERS, e164);
  const nanp = e164.startsWith("+1") && e164.length === 12;
  const fallback = defaultLineType(e164, nanp);
  if (scripted && (scripted.line_type || scripted.carrier)) {
    const type = scripted.line_type ? normalise(scripted.line_type) : fallback.type;
    return {
      ...fallback,
      type,
      carrier_name: scripted.carrier ?? fallback.carrier_name,
      ...(type !== "mobile" && fallback.type === "mobile"
        ? { mobile_country_code: null, mobile_network_code: null }
        : {}),
    };
  }
  const ours = world.store.find<{ sid: string; phone_number: string; type?: string }>(
    NUMBERS,
    (n) => n.phone_number === e164,
  );
  if (ours) {
    const tollFree = ours.type === "toll_free" || (nanp && TOLL_FREE.has(e164.slice(2, 5)));
    return { ...TWILIO_CARRIER, type: tollFree ? "tollFree" : "nonFixedVoip", error_code: null };
  }
  return fallback;
}

function defaultLineType(e164: string, nanp: boolean): LineTypeIntelligence {
  const none = { mobile_country_code: null, mobile_network_code: null, error_code: null };
  if (!nanp)
    return {
      carrier_name: "Emulated Mobile",
      type: "mobile",
      mobile_country_code: "001",
      mobile_network_code: "01",
      error_code: null,
    };
  if (TOLL_FREE.has(e164.slice(2, 5))) return { carrier_name: null, type: "tollFree", ...none };
  if (e164 === "+15005550009")
    return { carrier_name: US_LANDLINE[carrierIndex(e164)], type: "landline", ...none };
  return { ...US_MOBILE[carrierIndex(e164)], type: "mobile", error_code: null };
}
