/**
 * The onboarding module. Its steps run as jobs that hold a lease longer than a few Twilio calls
 * can take (the gateway times out after 30 s); a step that keeps failing for a
 * day of retries fails its stage, so the user sees it instead of a silent stall.
 */
import type { Module } from "../kernel/module.js";
import type { Services } from "../kernel/services.js";
import { BUNDLE_JOB, type BundlePayload, failStuckBundle, runBundle } from "./bundles/bundles.js";
import { explain } from "./hints.js";
import { CAMPAIGN_DELETE_JOB, type CampaignDeletePayload, runCampaignDelete } from "./campaigns.js";
import { NUMBER_BUY_JOB, type NumberBuyPayload, runNumberBuy } from "./numbers/numbers.js";
import {
  NUMBER_VERIFICATION_JOB,
  type NumberVerificationPayload,
  runNumberVerification,
} from "./numbers/toll-free.js";
import {
  GEO_PERMISSIONS_JOB,
  type GeoPermissionsPayload,
  runGeoPermissions,
} from "./international/countries.js";
import { bundleRoutes } from "./routes/bundles.js";
import { campaignRoutes } from "./routes/campaigns.js";
import { internationalRoutes } from "./routes/international.js";
import { numberRoutes } from "./routes/numbers.js";
import { SHORT_CODE_SCHEMAS, shortCodeRoutes } from "./routes/short-codes.js";
import { SHORT_CODE_JOB, type ShortCodePayload, runShortCodeJob } from "./shortcodes/short-codes.js";
import { onboardingRoutes } from "./routes/registrations.js";
import { REGISTRATION_SCHEMAS } from "./routes/schemas.js";
import { OTP_REMINDER_JOB, type OtpReminderPayload, runOtpReminder } from "./otp.js";
import { STEP_JOB, type StepPayload, failRegistration, runStepJob } from "./runner.js";
import { isOpen } from "./states.js";
import { findStep, lockRegistration } from "./store.js";
import { VETTING_JOB, type VettingPayload, runVetting } from "./vettings.js";
import { WATCH_JOB, type WatchPayload, runWatch } from "./watch.js";

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "onboarding.step": StepPayload;
    "onboarding.otp_reminder": OtpReminderPayload;
    "onboarding.watch": WatchPayload;
    "onboarding.campaign_delete": CampaignDeletePayload;
    "onboarding.vetting": VettingPayload;
    "onboarding.number_buy": NumberBuyPayload;
    "onboarding.number_verification": NumberVerificationPayload;
    "onboarding.geo_permissions": GeoPermissionsPayload;
    "onboarding.bundle": BundlePayload;
    "onboarding.short_code": ShortCodePayload;
  }
}

/** Jobs that wait on Twilio: retried with backoff for about a day before they give up. */
const FOLLOW_TWILIO = { maxAttempts: 40, backoff: { baseMs: 2_000, capMs: 30 * 60_000 } };

export function registerOnboardingJobs(services: Services): void {
  services.jobs.register(STEP_JOB, {
    handler: (job) => runStepJob(services, job),
    leaseMs: 3 * 60_000,
    maxAttempts: 40,
    backoff: { baseMs: 2_000, capMs: 30 * 60_000 },
    onDead: async (job, error) => {
      await services.db.tx(async (tx) => {
        const reg = await lockRegistration(tx, job.payload.registration_id);
        if (!reg || !isOpen(reg.state) || reg.generation !== job.payload.generation) return;
        const step = await findStep(tx, reg.id, job.payload.step);
        const message = error instanceof Error ? error.message : String(error);
        await failRegistration(tx, services, reg, {
          stage: step?.stage ?? "sender",
          twilio_status: null,
          remediable: true,
          reasons: [{ ...explain(reg.kind, { twilio_code: null, reason: message }), code: "step_stuck" }],
        });
      });
    },
  });
  services.jobs.register(OTP_REMINDER_JOB, (job) => runOtpReminder(services, job));
  services.jobs.register(WATCH_JOB, (job) => runWatch(services, job));
  services.jobs.register(CAMPAIGN_DELETE_JOB, {
    handler: (job) => runCampaignDelete(services, job),
    ...FOLLOW_TWILIO,
  });
  services.jobs.register(NUMBER_BUY_JOB, {
    handler: (job) => runNumberBuy(services, job),
    ...FOLLOW_TWILIO,
  });
  services.jobs.register(NUMBER_VERIFICATION_JOB, {
    handler: (job) => runNumberVerification(services, job),
    ...FOLLOW_TWILIO,
  });
  services.jobs.register(GEO_PERMISSIONS_JOB, {
    handler: (job) => runGeoPermissions(services, job),
    ...FOLLOW_TWILIO,
  });
  services.jobs.register(BUNDLE_JOB, {
    handler: (job) => runBundle(services, job),
    ...FOLLOW_TWILIO,
    onDead: (job, error) => failStuckBundle(services, job.payload.bundle_id, error),
  });
  services.jobs.register(SHORT_CODE_JOB, {
    handler: (job) => runShortCodeJob(services, job),
    ...FOLLOW_TWILIO,
  });
  services.jobs.register(VETTING_JOB, {
    handler: (job) => runVetting(services, job),
    ...FOLLOW_TWILIO,
  });
}

/** Registration (10DLC, sole proprietor, toll-free) as durable workflows. */
export const onboardingModule: Module = {
  name: "onboarding",
  routes: (services) => [
    onboardingRoutes(services),
    campaignRoutes(services),
    numberRoutes(services),
    internationalRoutes(services),
    bundleRoutes(services),
    shortCodeRoutes(services),
  ],
  schemas: [...REGISTRATION_SCHEMAS, ...SHORT_CODE_SCHEMAS],
  jobs: registerOnboardingJobs,
};
