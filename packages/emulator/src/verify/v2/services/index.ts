import type { Params } from "../../../core/form.js";
import { pageV1 } from "../../../core/paging.js";
import { newSid } from "../../../core/sid.js";
import type { Router } from "../../../http/router.js";
import type { World } from "../../../world.js";
import {
  HOST,
  VERIFICATIONS,
  VERIFY_SERVICES,
  type Verification,
  type VerifyService,
  invalid,
  ownService,
  renderService,
} from "../model.js";
import { registerVerificationCheck } from "./verification-check.js";
import { registerVerifications } from "./verifications.js";

/**
 * Verify's rule for the name shown in messages (spec text on `friendly_name`): at most 30
 * characters, no more than 4 digits in total, no links.
 */
export function friendlyNameProblem(name: string): string | null {
  if (name.trim().length === 0) return "FriendlyName must not be empty";
  if (name.length > 30) return "FriendlyName must be at most 30 characters";
  if ((name.match(/\d/g) ?? []).length > 4) return "FriendlyName cannot contain more than 4 digits";
  if (/https?:\/\/|www\./i.test(name)) return "FriendlyName cannot contain links";
  return null;
}

function codeLength(input: Params, fallback: number): number {
  const n = input.int("CodeLength", fallback)!;
  if (n < 4 || n > 10) throw invalid("CodeLength must be between 4 and 10");
  return n;
}

/** Applies the form fields present in `input` over `base` (create and update share the names). */
function applyFields(base: VerifyService, input: Params): VerifyService {
  const bool = (name: string, current: boolean) => (input.has(name) ? input.bool(name) : current);
  const str = (name: string, current: string | null) =>
    input.has(name) ? (input.str(name) ?? null) : current;
  const int = (name: string, current: number | null) =>
    input.has(name) ? (input.int(name) ?? null) : current;
  const name = input.str("FriendlyName") ?? base.friendly_name;
  const problem = friendlyNameProblem(name);
  if (problem) throw invalid(problem);
  return {
    ...base,
    friendly_name: name,
    code_length: codeLength(input, base.code_length),
    lookup_enabled: bool("LookupEnabled", base.lookup_enabled),
    psd2_enabled: bool("Psd2Enabled", base.psd2_enabled),
    skip_sms_to_landlines: bool("SkipSmsToLandlines", base.skip_sms_to_landlines),
    dtmf_input_required: bool("DtmfInputRequired", base.dtmf_input_required),
    tts_name: str("TtsName", base.tts_name),
    do_not_share_warning_enabled: bool("DoNotShareWarningEnabled", base.do_not_share_warning_enabled),
    custom_code_enabled: bool("CustomCodeEnabled", base.custom_code_enabled),
    push: {
      include_date: bool("Push.IncludeDate", base.push.include_date),
      apn_credential_sid: str("Push.ApnCredentialSid", base.push.apn_credential_sid),
      fcm_credential_sid: str("Push.FcmCredentialSid", base.push.fcm_credential_sid),
    },
    totp: {
      issuer: str("Totp.Issuer", base.totp.issuer) ?? name,
      time_step: int("Totp.TimeStep", base.totp.time_step),
      code_length: int("Totp.CodeLength", base.totp.code_length),
      skew: int("Totp.Skew", base.totp.skew),
    },
    whatsapp: {
      msg_service_sid: str("Whatsapp.MsgServiceSid", base.whatsapp.msg_service_sid),
      from: str("Whatsapp.From", base.whatsapp.from),
    },
    default_template_sid: str("DefaultTemplateSid", base.default_template_sid),
    verify_event_subscription_enabled: bool(
      "VerifyEventSubscriptionEnabled",
      base.verify_event_subscription_enabled,
    ),
  };
}

function registerServiceRoutes(r: Router) {
  r.post("/verify/v2/Services", ({ world, account, input }) => {
    if (!input.str("FriendlyName")) throw invalid("FriendlyName is required");
    const now = world.clock.now();
    const blank: VerifyService = {
      sid: newSid("VA"),
      account_sid: account.sid,
      friendly_name: "",
      code_length: 6,
      lookup_enabled: false,
      psd2_enabled: false,
      skip_sms_to_landlines: false,
      dtmf_input_required: false,
      tts_name: null,
      do_not_share_warning_enabled: false,
      custom_code_enabled: false,
      push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
      totp: { issuer: null, time_step: 30, code_length: 6, skew: 1 },
      whatsapp: { msg_service_sid: null, from: null },
      default_template_sid: null,
      verify_event_subscription_enabled: false,
      disabled_channels: [],
      date_created: now,
      date_updated: now,
    };
    const service = world.store.put(VERIFY_SERVICES, applyFields(blank, input));
    return { status: 201, body: renderService(service) };
  });

  r.get("/verify/v2/Services", ({ world, account, input }) => {
    const items = world.store
      .list<VerifyService>(VERIFY_SERVICES, (s) => s.account_sid === account.sid)
      .map(renderService);
    return { status: 200, body: pageV1(items, "services", `${HOST}/Services`, input) };
  });

  r.get("/verify/v2/Services/:Sid", ({ world, account, params }) => ({
    status: 200,
    body: renderService(ownService(world, account.sid, params.Sid)),
  }));

  r.post("/verify/v2/Services/:Sid", ({ world, account, params, input }) => {
    const current = ownService(world, account.sid, params.Sid);
    const next = { ...applyFields(current, input), date_updated: world.clock.now() };
    return { status: 200, body: renderService(world.store.put(VERIFY_SERVICES, next)) };
  });

  r.delete("/verify/v2/Services/:Sid", ({ world, account, params }) => {
    const service = ownService(world, account.sid, params.Sid);
    for (const v of world.store.list<Verification>(VERIFICATIONS, (v) => v.service_sid === service.sid))
      world.store.delete(VERIFICATIONS, v.sid);
    world.store.delete(VERIFY_SERVICES, service.sid);
    return { status: 204 };
  });
}

/** Verify Services and what Twilio nests under them: Verifications, VerificationCheck. */
export function registerServices(r: Router, world: World) {
  registerServiceRoutes(r);
  registerVerifications(r, world);
  registerVerificationCheck(r);
}
