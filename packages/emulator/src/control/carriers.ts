import { isE164 } from "../api/2010/messages/channel.js";
import { CARRIERS, type CarrierDoc } from "../api/2010/messages/collections.js";
import { TwilioError } from "../core/errors.js";
import type { Router } from "../http/router.js";
import { body } from "./routes.js";

const OUTCOMES = ["delivered", "undelivered", "failed"];
export const DEFAULT_CARRIER = { carrier: "Emulated Wireless", line_type: "mobile" };

/**
 * What happens to messages sent to a number, and what Lookups says about it:
 * `PUT /_emulator/carriers/{e164}` {outcome, error_code, line_type, carrier}. Unknown numbers
 * are mobiles that receive everything.
 */
export function registerCarriers(r: Router) {
  const pub = { public: true };

  r.put(
    "/_emulator/carriers/:Phone",
    (req) => {
      const e164 = req.params.Phone;
      if (!isE164(e164)) throw new TwilioError(21211, 400, `Not an E.164 number: ${e164}`);
      const b = body(req);
      if (b.outcome !== undefined && !OUTCOMES.includes(b.outcome))
        throw new TwilioError(20001, 400, `outcome must be one of ${OUTCOMES.join(", ")}`);
      const code = b.error_code === undefined || b.error_code === null ? b.error_code : Number(b.error_code);
      if (code !== undefined && code !== null && !Number.isInteger(code))
        throw new TwilioError(20001, 400, "error_code must be an integer");
      const existing = req.world.store.get<CarrierDoc>(CARRIERS, e164);
      const doc: CarrierDoc = {
        ...DEFAULT_CARRIER,
        ...existing,
        sid: e164,
        ...(b.carrier !== undefined ? { carrier: String(b.carrier) } : {}),
        ...(b.line_type !== undefined ? { line_type: String(b.line_type) } : {}),
        ...(b.outcome !== undefined ? { outcome: b.outcome } : {}),
        ...(code !== undefined ? { error_code: code } : {}),
      };
      return { status: 200, body: req.world.store.put(CARRIERS, doc) };
    },
    pub,
  );

  r.get(
    "/_emulator/carriers/:Phone",
    ({ world, params }) => ({
      status: 200,
      body: world.store.get<CarrierDoc>(CARRIERS, params.Phone) ?? {
        sid: params.Phone,
        ...DEFAULT_CARRIER,
        outcome: "delivered",
        error_code: null,
      },
    }),
    pub,
  );

  r.delete(
    "/_emulator/carriers/:Phone",
    ({ world, params }) => {
      world.store.delete(CARRIERS, params.Phone);
      return { status: 204 };
    },
    pub,
  );
}
