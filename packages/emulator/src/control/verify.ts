import { iso } from "../core/dates.js";
import { TwilioError, notFound } from "../core/errors.js";
import type { Router } from "../http/router.js";
import {
  CHANNELS,
  type Channel,
  VERIFICATIONS,
  VERIFY_SERVICES,
  type Verification,
  type VerifyService,
  settle,
} from "../verify/v2/model.js";
import { body } from "./routes.js";

/** The text a handset would receive for a verification (Verify's default English template). */
function message(service: VerifyService | undefined, v: Verification): string {
  const name = service?.friendly_name ?? "Verify";
  const warning = service?.do_not_share_warning_enabled
    ? " Don't share this code with anyone; our employees will never ask for the code."
    : "";
  return `Your ${name} verification code is: ${v.code}.${warning}`;
}

/**
 * Verify's control API: what was "delivered" (so tests and handsets can read the code) and a
 * per-service channel switch that makes Verify answer 60223 for a disabled channel.
 */
export function registerVerifyControl(r: Router) {
  const pub = { public: true };

  r.get(
    "/_emulator/verify/verifications",
    ({ world, input }) => {
      const to = input.str("to");
      const service = input.str("service_sid");
      const verifications = world.store
        .list<Verification>(
          VERIFICATIONS,
          (v) => (!to || v.to === to) && (!service || v.service_sid === service),
        )
        .map((v) => settle(world, v))
        .reverse()
        .map((v) => ({
          sid: v.sid,
          service_sid: v.service_sid,
          account_sid: v.account_sid,
          to: v.to,
          channel: v.channel,
          code: v.code,
          status: v.status,
          message: message(world.store.get<VerifyService>(VERIFY_SERVICES, v.service_sid), v),
          send_attempts: v.send_code_attempts.length,
          check_attempts: v.check_attempts,
          date_created: iso(v.date_created),
          expires_at: iso(v.expires_at),
        }));
      return { status: 200, body: { verifications } };
    },
    pub,
  );

  r.put(
    "/_emulator/verify/services/:Sid/channels",
    (req) => {
      const service = req.world.store.get<VerifyService>(VERIFY_SERVICES, req.params.Sid);
      if (!service) throw notFound("Verify service");
      const b = body(req);
      const disabled = new Set<Channel>(service.disabled_channels);
      for (const [name, enabled] of Object.entries(b)) {
        if (!(CHANNELS as readonly string[]).includes(name))
          throw new TwilioError(20001, 400, `unknown channel '${name}' (sms, call, email, whatsapp)`);
        const on = enabled === true || enabled === "true";
        if (on) disabled.delete(name as Channel);
        else disabled.add(name as Channel);
      }
      const updated = req.world.store.patch<VerifyService>(VERIFY_SERVICES, service.sid, {
        disabled_channels: [...disabled],
      })!;
      const channels = Object.fromEntries(CHANNELS.map((c) => [c, !updated.disabled_channels.includes(c)]));
      return { status: 200, body: { service_sid: service.sid, channels } };
    },
    pub,
  );
}
