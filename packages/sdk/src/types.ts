/**
 * Names for the shapes users handle most, derived from the generated schema so that they follow
 * the server: when a route's schema changes, `npm run generate` changes these too.
 */
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;

/** The JSON request body of an operation. */
export type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: infer R;
}
  ? JsonOf<NonNullable<R>>
  : never;

/** The query parameters of an operation. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** The JSON body of an operation's response with the given status. */
export type ResponseBody<
  P extends keyof paths,
  M extends keyof paths[P],
  S extends number,
> = paths[P][M] extends { responses: infer R } ? (S extends keyof R ? JsonOf<R[S]> : never) : never;

/** One page of a list: follow `next_cursor` while `has_more` (or use the `listAll` iterators). */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export type Tenant = Schemas["Tenant"];
export type ApiKey = Schemas["ApiKey"];
/** A freshly created key: `key` is shown in this response only. */
export type CreatedApiKey = ResponseBody<"/v1/tenants/{id}/api-keys", "post", 201>;
export type Message = Schemas["Message"];
export type SendMessageInput = RequestBody<"/v1/messages", "post">;
export type BatchResult = ResponseBody<"/v1/messages/batch", "post", 202>;
export type OptOut = ResponseBody<"/v1/opt-outs", "post", 201>;
/**
 * The registration document, a union on `kind` (docs/onboarding.md has an example of each):
 * every field is described in the generated types, its value rules included.
 */
export type RegistrationDocument = Schemas["RegistrationDocument"];
export type SoleProprietorRegistration = Schemas["SoleProprietorRegistration"];
export type StandardRegistration = Schemas["StandardRegistration"];
export type LowVolumeStandardRegistration = Schemas["LowVolumeStandardRegistration"];
export type TollFreeRegistration = Schemas["TollFreeRegistration"];
/** What `registrations.create` takes: a RegistrationDocument. */
export type RegistrationInput = RequestBody<"/v1/tenants/{id}/registrations", "post">;
/** The customer's answers `registrations.recommend` takes, and its answer. */
export type RecommendInput = RequestBody<"/v1/registrations/recommend", "post">;
export type PathRecommendation = ResponseBody<"/v1/registrations/recommend", "post", 200>;
export type Registration = ResponseBody<"/v1/tenants/{id}/registrations", "post", 202>;
export type ValidationResult = ResponseBody<"/v1/registrations/validate", "post", 200>;
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
/** A freshly created endpoint: `secret` (whsec_…) is shown in this response only. */
export type CreatedWebhookEndpoint = ResponseBody<"/v1/webhook-endpoints", "post", 201>;
export type WebhookDelivery = Schemas["WebhookDelivery"];
/** The body of every outbound webhook (see `verifyWebhook`). */
export type WebhookEvent = Schemas["Event"];
export type UsageReport = ResponseBody<"/v1/usage", "get", 200>;
export type Budget = Schemas["Budget"];
export type Verification = Schemas["Verification"];
export type VerificationCheck = ResponseBody<"/v1/verify/checks", "post", 200>;
export type SystemInfo = ResponseBody<"/v1/system", "get", 200>;
