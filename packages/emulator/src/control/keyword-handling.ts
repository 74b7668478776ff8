import { ACCOUNTS } from "../api/2010/accounts/model.js";
import { KEYWORD_HANDLING, type KeywordHandlingDoc, keywordHandling } from "../api/2010/messages/keywords.js";
import { TwilioError, notFound } from "../core/errors.js";
import type { Router } from "../http/router.js";
import { body } from "./routes.js";

/**
 * Twilio Support's switch: an account's own keyword handling (STOP, START, HELP and synonyms:
 * the opt-out list, the auto-replies, `OptOutType`) on or off. Twilio has no API for it; an
 * account asks Support to turn it off and then answers the keywords itself
 * (https://www.twilio.com/docs/api/errors/23002). `PUT /_emulator/accounts/{sid}/keyword-handling
 * {"enabled": false}`; `GET` reads it (on by default).
 */
export function registerKeywordHandling(r: Router) {
  const pub = { public: true };
  const account = (world: Parameters<typeof keywordHandling>[0], sid: string) => {
    if (!world.store.get(ACCOUNTS, sid)) throw notFound(`Account ${sid}`);
    return sid;
  };

  r.put(
    "/_emulator/accounts/:AccountSid/keyword-handling",
    (req) => {
      const sid = account(req.world, req.params.AccountSid);
      const enabled = body(req).enabled;
      if (typeof enabled !== "boolean" && enabled !== "true" && enabled !== "false")
        throw new TwilioError(20001, 400, "enabled must be true or false");
      req.world.store.put<KeywordHandlingDoc>(KEYWORD_HANDLING, {
        sid,
        enabled: enabled === true || enabled === "true",
      });
      return { status: 200, body: { account_sid: sid, enabled: keywordHandling(req.world, sid) } };
    },
    pub,
  );

  r.get(
    "/_emulator/accounts/:AccountSid/keyword-handling",
    ({ world, params }) => {
      const sid = account(world, params.AccountSid);
      return { status: 200, body: { account_sid: sid, enabled: keywordHandling(world, sid) } };
    },
    pub,
  );
}
