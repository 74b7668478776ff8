import { TwilioError, notFound } from "../../../core/errors.js";
import { newSid } from "../../../core/sid.js";
import type { ApiRequest, Router } from "../../../http/router.js";
import { lineTypeOf } from "../../../lookups/v2/lineType.js";
import { parseNumber } from "../../../lookups/v2/numbering.js";
import type { World } from "../../../world.js";
import {
  CHANNELS,
  type Channel,
  POLICY,
  VERIFICATIONS,
  type Verification,
  type VerifyService,
  invalid,
  ownService,
  renderVerification,
  settle,
} from "../model.js";
import { decideSend, generateCode } from "../rules.js";

const BASE = "/verify/v2/Services/:ServiceSid";

/** The verification currently open for (service, To): pending, or locked after too many checks. */
export function openFor(world: World, serviceSid: string, to: string): Verification | undefined {
  return world.store
    .list<Verification>(VERIFICATIONS, (v) => v.service_sid === serviceSid && v.to === to)
    .map((v) => settle(world, v))
    .filter((v) => v.status === "pending" || v.status === "max_attempts_reached")
    .pop();
}

function channelOf(value: string | undefined): Channel {
  if (!value) throw invalid("Channel is required");
  if (!(CHANNELS as readonly string[]).includes(value))
    throw invalid(`Channel '${value}' is not supported (sms, call, email, whatsapp)`);
  return value as Channel;
}

/** Checks To for the channel and returns it normalised; phone channels need a valid E.164 number. */
function destination(world: World, service: VerifyService, to: string | undefined, channel: Channel) {
  if (!to) throw invalid("To is required");
  if (channel === "email") {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to)) throw invalid(`To '${to}' is not an email address`);
    return { to, lookup: {} };
  }
  const parsed = parseNumber(to.replace(/^whatsapp:/, ""), "US");
  if (!to.startsWith("+") || !parsed.valid) throw invalid(`To '${to}' is not a valid phone number`);
  const line = lineTypeOf(world, parsed.phone_number);
  // Verify refuses SMS to landlines (60205) before anything is sent.
  if (channel === "sms" && line.type === "landline")
    throw new TwilioError(60205, 403, "SMS is not supported by landline phone number");
  const lookup = service.lookup_enabled
    ? {
        carrier: {
          error_code: null,
          name: line.carrier_name,
          mobile_country_code: line.mobile_country_code,
          mobile_network_code: line.mobile_network_code,
          type: line.type,
        },
      }
    : {};
  return { to: parsed.phone_number, lookup };
}

function customCode(service: VerifyService, value: string | undefined, length: number): string {
  if (value === undefined) return generateCode(length);
  if (!service.custom_code_enabled) throw invalid("CustomCode is not enabled for this service");
  if (!/^[0-9A-Za-z]{4,10}$/.test(value)) throw invalid("CustomCode must be 4 to 10 letters or digits");
  return value;
}

function startVerification({ world, account, params, input }: ApiRequest) {
  const service = ownService(world, account.sid, params.ServiceSid);
  const channel = channelOf(input.str("Channel"));
  if (service.disabled_channels.includes(channel))
    throw new TwilioError(60223, 400, `Delivery channel disabled: ${channel.toUpperCase()}`);
  const { to, lookup } = destination(world, service, input.str("To"), channel);
  const now = world.clock.now();
  const pending = openFor(world, service.sid, to);
  const recent = world.store.list<Verification>(
    VERIFICATIONS,
    (v) => v.account_sid === service.account_sid && v.to === to,
  );
  const decision = decideSend(pending?.status === "pending" ? pending : undefined, recent, now);
  if (decision.kind === "refuse") throw decision.error;
  const attempt = { time: now, channel, attempt_sid: newSid("VL") };

  if (decision.kind === "resend") {
    const v = decision.verification;
    const updated = world.store.patch<Verification>(VERIFICATIONS, v.sid, {
      channel,
      send_code_attempts: [...v.send_code_attempts, attempt],
      date_updated: now,
    })!;
    return { status: 201, body: renderVerification(updated) };
  }
  const verification = world.store.put<Verification>(VERIFICATIONS, {
    sid: newSid("VE"),
    service_sid: service.sid,
    account_sid: service.account_sid,
    to,
    channel,
    status: "pending",
    code: customCode(service, input.str("CustomCode"), service.code_length),
    locale: input.str("Locale") ?? null,
    amount: input.str("Amount") ?? null,
    payee: input.str("Payee") ?? null,
    lookup,
    send_code_attempts: [attempt],
    check_attempts: 0,
    expires_at: now + POLICY.lifetimeMs,
    date_created: now,
    date_updated: now,
  });
  world.scheduler.at(verification.expires_at, "verify.expire", { sid: verification.sid });
  return { status: 201, body: renderVerification(verification) };
}

/** Verifications are gone once approved, canceled or expired (Twilio answers 20404 then). */
export function openVerification(world: World, accountSid: string, serviceSid: string, sid: string) {
  ownService(world, accountSid, serviceSid);
  const found = world.store.get<Verification>(VERIFICATIONS, sid);
  const v = found && found.service_sid === serviceSid ? settle(world, found) : undefined;
  if (!v || (v.status !== "pending" && v.status !== "max_attempts_reached")) throw notFound("Verification");
  return v;
}

export function registerVerifications(r: Router, world: World) {
  world.scheduler.on("verify.expire", ({ sid }) => {
    const v = world.store.get<Verification>(VERIFICATIONS, sid);
    if (v) settle(world, v);
  });

  r.post(`${BASE}/Verifications`, startVerification);

  r.get(`${BASE}/Verifications/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: renderVerification(openVerification(world, account.sid, params.ServiceSid, params.Sid)),
  }));

  r.post(`${BASE}/Verifications/:Sid`, ({ world, account, params, input }) => {
    const v = openVerification(world, account.sid, params.ServiceSid, params.Sid);
    const status = input.str("Status");
    if (status !== "canceled" && status !== "approved") throw invalid("Status must be canceled or approved");
    const updated = world.store.patch<Verification>(VERIFICATIONS, v.sid, {
      status,
      date_updated: world.clock.now(),
    })!;
    return { status: 200, body: renderVerification(updated) };
  });
}
