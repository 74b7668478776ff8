import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../../system/services.js";
import { MessageSchema } from "../view.js";
import { laneRoutes } from "./lanes.js";
import { messageRoutes } from "./messages.js";
import { optOutRoutes } from "./opt-outs.js";
import { settingsRoutes } from "./settings.js";
import { twilioMessagingRoutes } from "./twilio.js";

/** The messaging module's route plugins and shared schemas, for the app's composition point. */
export function messagingRoutes(services: Services): FastifyPluginAsync[] {
  return [
    messageRoutes(services),
    optOutRoutes(services),
    settingsRoutes(services),
    laneRoutes(services),
    twilioMessagingRoutes(services),
  ];
}

export const messagingSchemas: object[] = [MessageSchema];
