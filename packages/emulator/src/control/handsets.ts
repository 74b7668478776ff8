import { bareNumber } from "../api/2010/messages/channel.js";
import { MESSAGES, type MessageDoc } from "../api/2010/messages/collections.js";
import { receiveInbound } from "../api/2010/messages/inbound.js";
import { indexOf } from "../api/2010/messages/state.js";
import { TwilioError } from "../core/errors.js";
import type { Router } from "../http/router.js";
import { controlMessage } from "./messages.js";
import { body } from "./routes.js";

/**
 * The phones on the other side. `POST /_emulator/handsets/{e164}/messages {to, body, media_urls?}`
 * texts one of our numbers (WhatsApp when either address has `whatsapp:`) and answers once the
 * webhook has been called; `GET` lists what the handset received.
 */
export function registerHandsets(r: Router) {
  const pub = { public: true };

  r.post(
    "/_emulator/handsets/:Phone/messages",
    async (req) => {
      const b = body(req);
      if (!b.to) throw new TwilioError(21604, 400, "`to` (one of our numbers) is required");
      const media = [b.media_urls ?? []].flat().map(String);
      if (typeof b.body !== "string" && media.length === 0)
        throw new TwilioError(21602, 400, "`body` or `media_urls` is required");
      const result = await receiveInbound(req.world, req.params.Phone, String(b.to), b.body ?? "", media);
      return {
        status: 201,
        body: {
          ...controlMessage(result.message),
          opt_out_type: result.keyword,
          webhook: result.webhook,
          replies: result.replies.map(controlMessage),
          reply_errors: result.reply_errors,
        },
      };
    },
    pub,
  );

  r.get(
    "/_emulator/handsets/:Phone/messages",
    ({ world, params }) => {
      const sids = indexOf(world).inbox.get(bareNumber(params.Phone)) ?? [];
      const messages = sids
        .map((sid) => world.store.get<MessageDoc>(MESSAGES, sid))
        .filter((m): m is MessageDoc => m !== undefined)
        .map((m) => ({ ...controlMessage(m), media_urls: m.media.map((x) => x.url) }));
      return { status: 200, body: { messages } };
    },
    pub,
  );
}
