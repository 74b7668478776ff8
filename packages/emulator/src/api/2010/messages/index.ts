import { TwilioError, notFound } from "../../../core/errors.js";
import type { Params } from "../../../core/form.js";
import { page2010 } from "../../../core/paging.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import { bareNumber } from "./channel.js";
import { MESSAGES, type MessageDoc } from "./collections.js";
import { createMessage, sendRequestFrom } from "./create.js";
import { inFlight, move, registerLifecycle } from "./lifecycle.js";
import { renderMedia, renderMessage } from "./render.js";
import { indexOf, reindex, remove } from "./state.js";

export function registerMessages(r: Router, world: World) {
  registerLifecycle(world);
  world.onBootstrap(reindex);
  const base = "/api/2010-04-01/Accounts/:AccountSid/Messages";

  r.post(`${base}.json`, ({ world, account, input }) => ({
    status: 201,
    body: renderMessage(createMessage(world, account, sendRequestFrom(input))),
  }));

  r.get(`${base}.json`, ({ world, account, input, path }) => {
    const pageSize = input.int("PageSize", 50)!;
    const page = input.int("Page", 0)!;
    const token = input.str("PageToken");
    const offset = token?.startsWith("PT") ? Number.parseInt(token.slice(2), 10) || 0 : page * pageSize;
    const matches = newestFirst(world, account.sid, filterOf(input), offset + pageSize + 1);
    const body = page2010(matches, "messages", path.replace(/^\/api/, ""), input);
    return { status: 200, body: { ...body, messages: (body.messages as MessageDoc[]).map(renderMessage) } };
  });

  const one = (world: World, accountSid: string, sid: string) => {
    const msg = world.store.get<MessageDoc>(MESSAGES, sid);
    if (!msg || msg.account_sid !== accountSid) throw notFound("Message");
    return msg;
  };

  r.get(`${base}/:Sid.json`, ({ world, account, params }) => ({
    status: 200,
    body: renderMessage(one(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid.json`, ({ world, account, params, input }) => {
    let msg = one(world, account.sid, params.Sid);
    const status = input.str("Status");
    if (status !== undefined) {
      if (status !== "canceled") throw new TwilioError(20001, 400, "Status can only be set to canceled");
      if (msg.status !== "scheduled")
        throw new TwilioError(
          20009,
          400,
          `Only a scheduled message can be canceled; this one is ${msg.status}`,
        );
      msg = move(world, msg, "canceled")!;
    }
    if (input.has("Body")) {
      // Redaction: Twilio only accepts an empty Body here.
      if (input.str("Body") !== "")
        throw new TwilioError(20001, 400, "Body can only be updated to an empty string");
      if (inFlight(msg.status))
        throw new TwilioError(20009, 400, `Cannot redact a message that is ${msg.status}`);
      msg = world.store.patch<MessageDoc>(MESSAGES, msg.sid, { body: "", date_updated: world.clock.now() })!;
    }
    return { status: 200, body: renderMessage(msg) };
  });

  r.delete(`${base}/:Sid.json`, ({ world, account, params }) => {
    const msg = one(world, account.sid, params.Sid);
    if (inFlight(msg.status))
      throw new TwilioError(20009, 400, `Cannot delete a message that is ${msg.status}`);
    world.store.delete(MESSAGES, msg.sid);
    const index = indexOf(world);
    remove(index.accountMessages, msg.account_sid, msg.sid);
    remove(index.inbox, bareNumber(msg.to), msg.sid);
    return { status: 204 };
  });

  r.get(`${base}/:MessageSid/Media.json`, ({ world, account, params, input, path }) => {
    const msg = one(world, account.sid, params.MessageSid);
    const items = msg.media.map((m) => renderMedia(msg, m));
    return { status: 200, body: page2010(items, "media_list", path.replace(/^\/api/, ""), input) };
  });

  const media = (msg: MessageDoc, sid: string) => {
    const item = msg.media.find((m) => m.sid === sid);
    if (!item) throw notFound("Media");
    return item;
  };

  r.get(`${base}/:MessageSid/Media/:Sid.json`, ({ world, account, params }) => {
    const msg = one(world, account.sid, params.MessageSid);
    return { status: 200, body: renderMedia(msg, media(msg, params.Sid)) };
  });

  r.delete(`${base}/:MessageSid/Media/:Sid.json`, ({ world, account, params }) => {
    const msg = one(world, account.sid, params.MessageSid);
    const item = media(msg, params.Sid);
    if (inFlight(msg.status))
      throw new TwilioError(20009, 400, `Cannot delete media of a message that is ${msg.status}`);
    world.store.patch<MessageDoc>(MESSAGES, msg.sid, { media: msg.media.filter((m) => m !== item) });
    return { status: 204 };
  });
}

type Filter = (m: MessageDoc) => boolean;

/** To, From and DateSent (=, <=, >=; a bare date means that whole UTC day) as Twilio filters. */
function filterOf(input: Params): Filter {
  const to = input.str("To");
  const from = input.str("From");
  const bound = (name: string, edge: "start" | "end") => {
    const raw = input.str(name);
    if (raw === undefined) return undefined;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) throw new TwilioError(20001, 400, `Invalid ${name}: ${raw}`);
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw.trim());
    return dateOnly && edge === "end" ? ms + 86_400_000 - 1 : ms;
  };
  // DateSent=… means that whole UTC day, whether given as a date or as a datetime (the SDK's).
  const day = bound("DateSent", "start");
  const on = day === undefined ? undefined : Math.floor(day / 86_400_000) * 86_400_000;
  const onEnd = on === undefined ? undefined : on + 86_400_000 - 1;
  const before = bound("DateSent<", "end");
  const after = bound("DateSent>", "start");
  const dated = on !== undefined || before !== undefined || after !== undefined;
  return (m) =>
    (to === undefined || m.to === to) &&
    (from === undefined || m.from === from) &&
    (!dated ||
      (m.date_sent !== null &&
        (on === undefined || (m.date_sent >= on && m.date_sent <= onEnd!)) &&
        (before === undefined || m.date_sent <= before) &&
        (after === undefined || m.date_sent >= after)));
}

/** Walks the account's index newest first and stops once `limit` messages match. */
function newestFirst(world: World, accountSid: string, filter: Filter, limit: number): MessageDoc[] {
  const sids = indexOf(world).accountMessages.get(accountSid) ?? [];
  const out: MessageDoc[] = [];
  for (let i = sids.length - 1; i >= 0 && out.length < limit; i--) {
    const msg = world.store.get<MessageDoc>(MESSAGES, sids[i]);
    if (msg && filter(msg)) out.push(msg);
  }
  return out;
}
