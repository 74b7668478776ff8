import { rfc2822 } from "../../../core/dates.js";
import { TwilioError, notFound } from "../../../core/errors.js";
import { page2010 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import { SHORT_CODES, type ShortCodeDoc } from "../messages/collections.js";

/**
 * The account's short codes (https://www.twilio.com/docs/messaging/api/short-code-resource):
 * list, fetch and update of their webhooks. Twilio has no API to buy one (a short code is an
 * application approved after carrier review); the emulator's control route `short-codes`
 * provisions them.
 */
export function renderShortCode(c: ShortCodeDoc) {
  return {
    account_sid: c.account_sid,
    api_version: c.api_version,
    date_created: rfc2822(c.date_created),
    date_updated: rfc2822(c.date_updated),
    friendly_name: c.friendly_name,
    short_code: c.short_code,
    sid: c.sid,
    sms_fallback_method: c.sms_fallback_method,
    sms_fallback_url: c.sms_fallback_url,
    sms_method: c.sms_method,
    sms_url: c.sms_url,
    uri: `/2010-04-01/Accounts/${c.account_sid}/SMS/ShortCodes/${c.sid}.json`,
  };
}

const SETTINGS: [string, keyof ShortCodeDoc, "url" | "method" | "text"][] = [
  ["FriendlyName", "friendly_name", "text"],
  ["ApiVersion", "api_version", "text"],
  ["SmsUrl", "sms_url", "url"],
  ["SmsMethod", "sms_method", "method"],
  ["SmsFallbackUrl", "sms_fallback_url", "url"],
  ["SmsFallbackMethod", "sms_fallback_method", "method"],
];

export function registerShortCodes(r: Router) {
  const base = "/api/2010-04-01/Accounts/:AccountSid/SMS/ShortCodes";

  r.get(`${base}.json`, ({ world, account, input, path }) => {
    const name = input.str("FriendlyName");
    const code = input.str("ShortCode");
    const items = world.store
      .list<ShortCodeDoc>(
        SHORT_CODES,
        (c) =>
          c.account_sid === account.sid &&
          (name === undefined || c.friendly_name === name) &&
          (code === undefined || c.short_code.includes(code)),
      )
      .map(renderShortCode);
    return { status: 200, body: page2010(items, "short_codes", path.replace(/^\/api/, ""), input) };
  });

  const own = (c: ShortCodeDoc | undefined, accountSid: string) => {
    if (!c || c.account_sid !== accountSid) throw notFound("ShortCode");
    return c;
  };

  r.get(`${base}/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderShortCode(own(world.store.get<ShortCodeDoc>(SHORT_CODES, params.Sid), account.sid)),
  }));

  r.post(`${base}/:Sid.json`, ({ world, account, params, input }) => {
    const c = own(world.store.get<ShortCodeDoc>(SHORT_CODES, params.Sid), account.sid);
    const changes: Record<string, unknown> = { date_updated: world.clock.now() };
    for (const [param, field, kind] of SETTINGS) {
      if (!input.has(param)) continue;
      const value = input.str(param) ?? "";
      if (kind === "method") {
        if (!["GET", "POST"].includes(value.toUpperCase()))
          throw new TwilioError(20001, 400, `${param} must be GET or POST`);
        changes[field] = value.toUpperCase();
      } else if (kind === "url") {
        if (value !== "" && !/^https?:\/\//i.test(value))
          throw new TwilioError(21502, 400, `${param} is not a valid URL: ${value}`);
        changes[field] = value || null;
      } else changes[field] = value;
    }
    const updated = world.store.patch<ShortCodeDoc>(SHORT_CODES, c.sid, changes as Partial<ShortCodeDoc>)!;
    return { status: 200, body: renderShortCode(updated) };
  });
}
