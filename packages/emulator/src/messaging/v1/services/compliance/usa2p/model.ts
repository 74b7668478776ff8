import { iso } from "../../../../../core/dates.js";
import { TwilioError, notFound } from "../../../../../core/errors.js";
import type { Params } from "../../../../../core/form.js";
import type { World } from "../../../../../world.js";
import { MESSAGING } from "../../../host.js";

const SERVICES = "services";
export const CAMPAIGNS = "usa2p";
export const CAMPAIGN_TOMBSTONES = "usa2p_tombstones";
/** Every campaign answers with this SID, scoped by its Messaging Service (twilio-facts.md, "Campaigns"). */
export const CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b";

export type CampaignStatus = "PENDING" | "IN_PROGRESS" | "VERIFIED" | "FAILED" | "SUSPENDED";

export interface CampaignError {
  error_code: number;
  fields: string[];
  url: string;
  description: string;
}

/** Stored under the Messaging Service SID: one campaign per service. */
export interface Campaign {
  sid: string;
  account_sid: string;
  messaging_service_sid: string;
  brand_registration_sid: string;
  description: string;
  message_samples: string[];
  us_app_to_person_usecase: string;
  has_embedded_links: boolean;
  has_embedded_phone: boolean;
  subscriber_opt_in: boolean;
  age_gated: boolean;
  direct_lending: boolean;
  campaign_status: CampaignStatus;
  campaign_id: string | null;
  rate_limits: Record<string, unknown> | null;
  message_flow: string;
  opt_in_message: string | null;
  opt_out_message: string | null;
  help_message: string | null;
  opt_in_keywords: string[];
  opt_out_keywords: string[];
  help_keywords: string[];
  privacy_policy_url: string | null;
  terms_and_conditions_url: string | null;
  mock: boolean;
  errors: CampaignError[];
  date_created: number;
  date_updated: number;
}

/**
 * The v1 shape, or the v2 one (with privacy_policy_url and terms_and_conditions_url) when the
 * caller sends X-Twilio-Api-Version or gave either URL, as the spec's two response schemas do.
 */
export function renderCampaign(c: Campaign, v2 = false) {
  const body: Record<string, unknown> = {
    sid: CAMPAIGN_SID,
    account_sid: c.account_sid,
    brand_registration_sid: c.brand_registration_sid,
    messaging_service_sid: c.messaging_service_sid,
    description: c.description,
    message_samples: c.message_samples,
    us_app_to_person_usecase: c.us_app_to_person_usecase,
    has_embedded_links: c.has_embedded_links,
    has_embedded_phone: c.has_embedded_phone,
    subscriber_opt_in: c.subscriber_opt_in,
    age_gated: c.age_gated,
    direct_lending: c.direct_lending,
    campaign_status: c.campaign_status,
    campaign_id: c.campaign_id,
    is_externally_registered: false,
    rate_limits: c.rate_limits,
    message_flow: c.message_flow,
    opt_in_message: c.opt_in_message,
    opt_out_message: c.opt_out_message,
    help_message: c.help_message,
    opt_in_keywords: c.opt_in_keywords,
    opt_out_keywords: c.opt_out_keywords,
    help_keywords: c.help_keywords,
    date_created: iso(c.date_created),
    date_updated: iso(c.date_updated),
    url: `${MESSAGING}/Services/${c.messaging_service_sid}/Compliance/Usa2p/${CAMPAIGN_SID}`,
    mock: c.mock,
    errors: c.errors,
  };
  if (v2 || c.privacy_policy_url || c.terms_and_conditions_url) {
    body.privacy_policy_url = c.privacy_policy_url;
    body.terms_and_conditions_url = c.terms_and_conditions_url;
  }
  return body;
}

/** Twilio's defaults when the service uses Default Opt-Out (spec example createWithDefaults). */
export const DEFAULT_OPT_OUT_MESSAGE =
  "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.";
export const DEFAULT_HELP_MESSAGE = "Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
export const DEFAULT_OPT_OUT_KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];
export const DEFAULT_HELP_KEYWORDS = ["HELP", "INFO"];

const invalid = (name: string, detail: string) =>
  new TwilioError(20001, 400, `Invalid parameter ${name}: ${detail}`);

function length(input: Params, name: string, min: number, max: number) {
  const v = input.str(name);
  if (v !== undefined && (v.length < min || v.length > max))
    throw invalid(name, `must be ${min}–${max} characters (got ${v.length})`);
}

/** The field rules Twilio enforces synchronously (docs/twilio-facts.md, "Campaigns"). */
export function validateCampaignFields(input: Params, required: string[]) {
  for (const name of required) {
    const present =
      name === "MessageSamples" ? input.list(name).length > 0 : input.has(name) && input.str(name) !== "";
    if (!present) throw new TwilioError(20001, 400, `Missing required parameter ${name} in the post body`);
  }
  length(input, "Description", 40, 4096);
  length(input, "MessageFlow", 40, 2048);
  for (const name of ["OptInMessage", "OptOutMessage", "HelpMessage"]) length(input, name, 20, 320);
  const samples = input.list("MessageSamples");
  if (input.has("MessageSamples") && (samples.length < 2 || samples.length > 5))
    throw invalid("MessageSamples", `2 to 5 samples are required (got ${samples.length})`);
  for (const s of samples)
    if (s.length < 20 || s.length > 1024)
      throw invalid("MessageSamples", `each sample must be 20–1024 characters (got ${s.length})`);
  for (const name of ["OptInKeywords", "OptOutKeywords", "HelpKeywords"])
    for (const k of input.list(name))
      if (!/^[A-Za-z0-9]+$/.test(k) || k.length > 255)
        throw invalid(name, `keywords must be alphanumeric (got "${k}")`);
  for (const name of ["PrivacyPolicyUrl", "TermsAndConditionsUrl"]) {
    const v = input.str(name);
    if (v && !/^https?:\/\//i.test(v)) throw invalid(name, "must be an http(s) URL");
  }
}

/** The Messaging Service in the path, this account's (20404 otherwise). */
export function ownService(world: World, accountSid: string, sid: string) {
  const s = world.store.get<{ sid: string; account_sid: string }>(SERVICES, sid);
  if (!s || s.account_sid !== accountSid) throw notFound(`Service ${sid}`);
  return s;
}
