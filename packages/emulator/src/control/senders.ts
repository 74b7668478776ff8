import { ACCOUNTS, type Account } from "../api/2010/accounts/model.js";
import { registrationSid } from "../api/2010/messages/alpha-senders.js";
import {
  ALPHA_REGISTRATIONS,
  type AlphaRegistrationDoc,
  SERVICE_SHORT_CODES,
  SHORT_CODES,
  type ShortCodeDoc,
} from "../api/2010/messages/collections.js";
import { renderShortCode } from "../api/2010/sms/short-codes.js";
import { isAlphaSender } from "../core/countries.js";
import { TwilioError, notFound } from "../core/errors.js";
import { newSid } from "../core/sid.js";
import type { Router } from "../http/router.js";
import type { World } from "../world.js";
import { body } from "./routes.js";

/**
 * Senders Twilio does not sell through its API: short codes (an application approved after
 * weeks of carrier review) and alphanumeric sender IDs registered for a country that requires
 * it. A test or sandbox provisions them here, as if the approval had come.
 */
function accountOf(world: World, sid: unknown): Account {
  const a = typeof sid === "string" ? world.store.get<Account>(ACCOUNTS, sid) : undefined;
  if (!a) throw new TwilioError(20001, 400, "account_sid must name an account of the emulator");
  return a;
}

const isoOf = (v: unknown, fallback?: string) => {
  const iso = String(v ?? fallback ?? "").toUpperCase();
  if (!/^[A-Z]{2}$/.test(iso))
    throw new TwilioError(20001, 400, "iso_country must be an ISO 3166-1 alpha-2 code");
  return iso;
};

export function registerSenderControl(r: Router) {
  const pub = { public: true };

  r.post(
    "/_emulator/short-codes",
    (req) => {
      const b = body(req);
      const account = accountOf(req.world, b.account_sid);
      const code = String(b.short_code ?? "");
      if (!/^\d{5,6}$/.test(code)) throw new TwilioError(20001, 400, "short_code must be 5 or 6 digits");
      const iso = isoOf(b.iso_country, "US");
      if (
        req.world.store.find<ShortCodeDoc>(SHORT_CODES, (c) => c.short_code === code && c.iso_country === iso)
      )
        throw new TwilioError(20409, 409, `Short code ${code} is already provisioned in ${iso}`);
      const now = req.world.clock.now();
      const doc = req.world.store.put<ShortCodeDoc>(SHORT_CODES, {
        sid: newSid("SC"),
        account_sid: account.sid,
        short_code: code,
        iso_country: iso,
        friendly_name: typeof b.friendly_name === "string" ? b.friendly_name : code,
        api_version: "2010-04-01",
        sms_url: null,
        sms_method: "POST",
        sms_fallback_url: null,
        sms_fallback_method: "POST",
        date_created: now,
        date_updated: now,
      });
      return { status: 201, body: { ...renderShortCode(doc), iso_country: doc.iso_country } };
    },
    pub,
  );

  r.get(
    "/_emulator/short-codes",
    ({ world }) => ({
      status: 200,
      body: {
        short_codes: world.store
          .list<ShortCodeDoc>(SHORT_CODES)
          .map((c) => ({ ...renderShortCode(c), iso_country: c.iso_country })),
      },
    }),
    pub,
  );

  r.delete(
    "/_emulator/short-codes/:Sid",
    ({ world, params }) => {
      if (!world.store.get(SHORT_CODES, params.Sid)) throw notFound("ShortCode");
      world.store.delete(SHORT_CODES, params.Sid);
      world.store.delete(SERVICE_SHORT_CODES, params.Sid);
      return { status: 204 };
    },
    pub,
  );

  r.post(
    "/_emulator/alpha-senders/registrations",
    (req) => {
      const b = body(req);
      const account = accountOf(req.world, b.account_sid);
      const alpha = String(b.alpha_sender ?? "");
      if (!isAlphaSender(alpha))
        throw new TwilioError(20001, 400, `alpha_sender ${alpha} is not a valid alphanumeric sender ID`);
      const iso = isoOf(b.iso_country);
      const doc = req.world.store.put<AlphaRegistrationDoc>(ALPHA_REGISTRATIONS, {
        sid: registrationSid(account.sid, iso, alpha),
        account_sid: account.sid,
        iso_country: iso,
        alpha_sender: alpha,
        date_created: req.world.clock.now(),
      });
      return { status: 201, body: doc };
    },
    pub,
  );

  r.get(
    "/_emulator/alpha-senders/registrations",
    ({ world }) => ({ status: 200, body: { registrations: world.store.list(ALPHA_REGISTRATIONS) } }),
    pub,
  );
}
