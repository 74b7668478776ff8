import type { Module } from "../kernel/module.js";
import { VerificationSchema, verifyRoutes } from "./routes/verify.js";
import { CallSchema, IvrFlowSchema, voiceRoutes } from "./routes/voice.js";
import { voiceWebhookRoutes } from "./routes/voice-twilio.js";
import { WhatsAppOptInSchema, whatsappContactRoutes } from "./routes/whatsapp-contacts.js";
import { WhatsAppSenderSchema, whatsappRoutes } from "./routes/whatsapp-senders.js";
import { WhatsAppTemplateSchema, whatsappTemplateRoutes } from "./routes/whatsapp-templates.js";
import { registerVerifyJobs } from "./verify/jobs.js";
import { registerTemplateJobs } from "./whatsapp/templates.js";

/** Channels beyond SMS: Verify, WhatsApp, voice. */
export const channelsModule: Module = {
  name: "channels",
  routes: (services) => [
    verifyRoutes(services),
    whatsappRoutes(services),
    whatsappTemplateRoutes(services),
    whatsappContactRoutes(services),
    voiceRoutes(services),
    voiceWebhookRoutes(services),
  ],
  schemas: [
    VerificationSchema,
    WhatsAppSenderSchema,
    WhatsAppTemplateSchema,
    WhatsAppOptInSchema,
    IvrFlowSchema,
    CallSchema,
  ],
  jobs: (services) => {
    registerVerifyJobs(services);
    registerTemplateJobs(services);
  },
};
