import { TwilioError, notFound } from "../../../core/errors.js";
import type { ApiRequest, Router } from "../../../http/router.js";
import { parseNumber } from "../../../lookups/v2/numbering.js";
import { VERIFICATIONS, type Verification, invalid, ownService, renderCheck } from "../model.js";
import { decideCheck } from "../rules.js";
import { openFor, openVerification } from "./verifications.js";

function check({ world, account, params, input }: ApiRequest) {
  const service = ownService(world, account.sid, params.ServiceSid);
  const code = input.str("Code");
  if (!code) throw invalid("Code is required");
  const sid = input.str("VerificationSid");
  const to = input.str("To");
  if (!sid && !to) throw invalid("Either a 'To' number or 'VerificationSid' must be specified");
  const v = sid
    ? openVerification(world, account.sid, service.sid, sid)
    : openFor(world, service.sid, parseNumber(to!).valid ? parseNumber(to!).phone_number : to!);
  if (!v) throw notFound("VerificationCheck");
  const now = world.clock.now();
  const outcome = decideCheck(v, code);
  if (outcome === "locked") {
    world.store.patch<Verification>(VERIFICATIONS, v.sid, {
      status: "max_attempts_reached",
      date_updated: now,
    });
    throw new TwilioError(60202, 429, "Max check attempts reached");
  }
  const updated = world.store.patch<Verification>(VERIFICATIONS, v.sid, {
    ...(outcome === "approved" ? { status: "approved" as const } : { check_attempts: v.check_attempts + 1 }),
    date_updated: now,
  })!;
  return { status: 200, body: renderCheck(updated) };
}

export function registerVerificationCheck(r: Router) {
  r.post("/verify/v2/Services/:ServiceSid/VerificationCheck", check);
}
