import type { Module } from "../kernel/module.js";
import { VerificationSchema, verifyRoutes } from "./routes/verify.js";
import { CallSchema, IvrFlowSchema, voiceRoutes } from "./routes/voice.js";
import { voiceWebhookRoutes } from "./routes/voice-twilio.js";
import { registerVerifyJobs } from "./verify/jobs.js";

/** Channels beside messaging: Verify and voice (WhatsApp is a messaging channel: messaging/whatsapp/). */
export const channelsModule: Module = {
  name: "channels",
  routes: (services) => [verifyRoutes(services), voiceRoutes(services), voiceWebhookRoutes(services)],
  schemas: [VerificationSchema, IvrFlowSchema, CallSchema],
  jobs: registerVerifyJobs,
};
