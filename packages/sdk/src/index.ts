/**
 * @subtext/sdk: a typed client for the Subtext REST API.
 *
 *   const subtext = createSubtext({ baseUrl: "http://localhost:3000", token: process.env.SUBTEXT_KEY! });
 *   const message = await subtext.messages.send({ to: "+14155550100", body: "Hi" }, { idempotencyKey: "order-42" });
 *
 * The ergonomic methods cover the common calls; `subtext.raw` reaches every route of the OpenAPI
 * document with typed paths, parameters and bodies (openapi-fetch).
 */
import { type RawClient, type SubtextOptions, createRawClient } from "./http.js";
import { type IdempotencyOptions, messagesResource, optOutsResource } from "./resources/messages.js";
import { registrationsResource } from "./resources/onboarding.js";
import {
  eventsResource,
  systemResource,
  usageResource,
  verifyResource,
  webhookEndpointsResource,
} from "./resources/platform.js";
import { apiKeysResource, tenantsResource } from "./resources/tenants.js";

export function createSubtext(options: SubtextOptions) {
  const raw = createRawClient(options);
  return {
    /** Every route, typed: `await subtext.raw.GET("/v1/lanes")` → `{ data, error, response }`. */
    raw,
    system: systemResource(raw),
    tenants: tenantsResource(raw),
    apiKeys: apiKeysResource(raw),
    messages: messagesResource(raw),
    optOuts: optOutsResource(raw),
    registrations: registrationsResource(raw),
    webhookEndpoints: webhookEndpointsResource(raw),
    events: eventsResource(raw),
    usage: usageResource(raw),
    verify: verifyResource(raw),
  };
}

export type Subtext = ReturnType<typeof createSubtext>;
export type { IdempotencyOptions, RawClient, SubtextOptions };
export { paginate } from "./http.js";
export { type ErrorDetail, SubtextApiError, isSubtextApiError } from "./errors.js";
export { type WebhookHeaders, WebhookVerificationError, verifyWebhook } from "./webhooks.js";
export type * from "./types.js";
export type { components, operations, paths } from "./schema.js";
