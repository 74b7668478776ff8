import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../system/services.js";
import { registerVerifyJobs } from "./verify/jobs.js";
import { VerificationSchema, verifyRoutes } from "./verify/routes.js";
import { CallSchema, IvrFlowSchema, voiceRoutes } from "./voice/routes.js";
import { voiceWebhookRoutes } from "./voice/webhooks.js";
import { WhatsAppOptInSchema, whatsappContactRoutes } from "./whatsapp/contact-routes.js";
import { WhatsAppSenderSchema, whatsappRoutes } from "./whatsapp/routes.js";
import { WhatsAppTemplateSchema, whatsappTemplateRoutes } from "./whatsapp/template-routes.js";
import { registerTemplateJobs } from "./whatsapp/templates.js";

/** The channels module's wiring (system/modules.ts calls these three). */
export function channelRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    await app.register(verifyRoutes(services));
    await app.register(whatsappRoutes(services));
    await app.register(whatsappTemplateRoutes(services));
    await app.register(whatsappContactRoutes(services));
    await app.register(voiceRoutes(services));
    await app.register(voiceWebhookRoutes(services));
  };
}

export function registerChannelJobs(services: Services): void {
  registerVerifyJobs(services);
  registerTemplateJobs(services);
}

export const CHANNEL_SCHEMAS: object[] = [
  VerificationSchema,
  WhatsAppSenderSchema,
  WhatsAppTemplateSchema,
  WhatsAppOptInSchema,
  IvrFlowSchema,
  CallSchema,
];
