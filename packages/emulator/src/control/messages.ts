import { MESSAGES, MESSAGING_SETTINGS, type MessageDoc } from "../api/2010/messages/collections.js";
import { complianceSettings } from "../api/2010/messages/gate.js";
import { indexOf } from "../api/2010/messages/state.js";
import { throughputSettings } from "../api/2010/messages/throughput.js";
import { iso } from "../core/dates.js";
import { TwilioError } from "../core/errors.js";
import type { Router } from "../http/router.js";
import { body } from "./routes.js";

/** A message as the control API shows it (ISO dates, numbers as numbers). */
export function controlMessage(m: MessageDoc) {
  return {
    sid: m.sid,
    account_sid: m.account_sid,
    direction: m.direction,
    channel: m.channel,
    messaging_service_sid: m.messaging_service_sid,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    error_code: m.error_code,
    num_segments: m.num_segments,
    num_media: m.media.length,
    date_created: iso(m.date_created),
    date_sent: iso(m.date_sent),
  };
}

const positive = (value: unknown, name: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new TwilioError(20001, 400, `${name} must be a number > 0`);
  return n;
};

/**
 * `GET /_emulator/messages?to=&from=&account_sid=&direction=` lists every message (oldest first);
 * `PUT /_emulator/throughput` and `PUT /_emulator/compliance` tune sending.
 */
export function registerMessageControl(r: Router) {
  const pub = { public: true };

  r.get(
    "/_emulator/messages",
    ({ world, input }) => {
      const account = input.str("account_sid");
      const to = input.str("to");
      const from = input.str("from");
      const direction = input.str("direction");
      const docs = account
        ? (indexOf(world).accountMessages.get(account) ?? []).map(
            (sid) => world.store.get<MessageDoc>(MESSAGES, sid)!,
          )
        : world.store.list<MessageDoc>(MESSAGES).sort((a, b) => a.date_created - b.date_created);
      const messages = docs
        .filter(
          (m) =>
            m &&
            (!to || m.to === to) &&
            (!from || m.from === from) &&
            (!direction || m.direction === direction),
        )
        .map(controlMessage);
      return { status: 200, body: { messages } };
    },
    pub,
  );

  r.get("/_emulator/throughput", ({ world }) => ({ status: 200, body: throughputSettings(world) }), pub);
  r.put(
    "/_emulator/throughput",
    (req) => {
      const b = body(req);
      const settings = { ...throughputSettings(req.world) };
      settings.numbers = { ...settings.numbers };
      if (b.per_number_mps !== undefined) {
        const mps = positive(b.per_number_mps, "per_number_mps");
        if (b.phone_number) settings.numbers[String(b.phone_number)] = mps;
        else Object.assign(settings, { local_mps: mps, toll_free_mps: mps, mobile_mps: mps });
      }
      for (const key of ["local_mps", "toll_free_mps", "mobile_mps", "whatsapp_mps"] as const)
        if (b[key] !== undefined) settings[key] = positive(b[key], key);
      return { status: 200, body: req.world.store.put(MESSAGING_SETTINGS, settings) };
    },
    pub,
  );

  r.get("/_emulator/compliance", ({ world }) => ({ status: 200, body: complianceSettings(world) }), pub);
  r.put(
    "/_emulator/compliance",
    (req) => {
      const b = body(req);
      if (b.enforce === undefined) throw new TwilioError(20001, 400, "enforce (true or false) is required");
      const enforce = b.enforce === true || b.enforce === "true";
      const settings = { ...complianceSettings(req.world) };
      if (b.account_sid) settings.accounts = { ...settings.accounts, [String(b.account_sid)]: enforce };
      else settings.enforce = enforce;
      return { status: 200, body: req.world.store.put(MESSAGING_SETTINGS, settings) };
    },
    pub,
  );
}
