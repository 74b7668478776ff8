import { TwilioError } from "../../core/errors.js";
import type { Router } from "../../http/router.js";
import type { World } from "../../world.js";
import { lineTypeOf } from "./lineType.js";
import { parseNumber } from "./numbering.js";

/** Data packages Lookups v2 answers with null unless asked for in `Fields`. */
const PACKAGES = [
  "caller_name",
  "sim_swap",
  "call_forwarding",
  "line_status",
  "line_type_intelligence",
  "identity_match",
  "reassigned_number",
  "sms_pumping_risk",
  "phone_number_quality_score",
  "pre_fill",
] as const;

/**
 * Lookups v2 PhoneNumbers: validation and formatting always; `line_type_intelligence` when asked
 * for. Other packages are not emulated and answer null, as Twilio does for packages not requested.
 */
export function registerLookups(r: Router, _world: World) {
  r.get("/lookups/v2/PhoneNumbers/:PhoneNumber", ({ world, params, input }) => {
    const fields = (input.str("Fields") ?? "")
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    for (const f of fields) {
      if (!(PACKAGES as readonly string[]).includes(f))
        throw new TwilioError(60200, 400, `Invalid parameter Fields: unknown data package '${f}'`);
    }
    const parsed = parseNumber(params.PhoneNumber, input.str("CountryCode") ?? "US");
    const body: Record<string, unknown> = {
      calling_country_code: parsed.calling_country_code,
      country_code: parsed.country_code,
      phone_number: parsed.phone_number,
      national_format: parsed.national_format,
      valid: parsed.valid,
      validation_errors: parsed.valid ? [] : parsed.validation_errors,
      ...Object.fromEntries(PACKAGES.map((p) => [p, null])),
      url: `https://lookups.twilio.com/v2/PhoneNumbers/${encodeURIComponent(parsed.phone_number).replace(/%2B/g, "+")}`,
    };
    if (parsed.valid && fields.includes("line_type_intelligence")) {
      body.line_type_intelligence = lineTypeOf(world, parsed.phone_number);
    }
    return { status: 200, body };
  });
}
