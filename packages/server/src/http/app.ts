import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from "fastify";
import { newId } from "../db/ids.js";
import { SubtextError } from "../kernel/errors.js";
import type { Routes } from "../kernel/module.js";
import type { Services } from "../kernel/services.js";
import { declareRouteAccess } from "./access.js";
import { registerAuth } from "./auth.js";
import { registerErrorHandling, toSubtextError } from "./errors.js";
import { registerHttpMetrics } from "./metrics.js";
import { registerRateLimits } from "./rate-limit.js";
import { SHARED_SCHEMAS } from "./schemas.js";
import { createValidatorCompiler, findUnstorableText } from "./validation.js";

export interface AppOptions {
  /** Route plugins, in registration order (the composition root passes every module's). */
  routes: Routes[];
  /** Extra route plugins registered after `routes` (tests). */
  extraRoutes?: Routes[];
  /** Shared JSON schemas (with $id) that routes reference and the document lists as components. */
  schemas: object[];
  /** Default body limit in bytes (routes may set their own `bodyLimit`). */
  bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The HTTP skin: a plugin per area, a JSON schema on every route (input and output), the
 * OpenAPI 3.1 document at /openapi.json and its docs at /docs, one error shape.
 */
export async function buildApp(services: Services, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.log as unknown as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    genReqId: () => newId("req"),
    requestIdHeader: false,
    return503OnClosing: true,
    // req.ip and req.protocol believe X-Forwarded-* only from these proxies (SUBTEXT_TRUST_PROXY).
    trustProxy: services.config.trustProxy as boolean | string[],
    // Errors the router raises before any route runs (an undecodable URL, a too-long parameter).
    frameworkErrors: (err, _req, reply) =>
      void (reply as FastifyReply).code(toSubtextError(err).status).send(toSubtextError(err).toBody()),
  });
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  app.addHook("preValidation", async (req) => {
    const problems = [
      ...findUnstorableText(req.body),
      ...findUnstorableText(req.query, "querystring:"),
      ...findUnstorableText(req.params, "params:"),
    ];
    if (problems.length > 0) {
      const deep = problems.some((p) => p.code === "too_deep");
      throw new SubtextError(
        deep ? "invalid_request" : "invalid_characters",
        400,
        deep ? "The request nests too deeply." : "The request contains text that cannot be stored.",
        {
          hint: deep
            ? "No field of this API nests that deep; see /docs for the expected shape."
            : "Remove NUL characters (U+0000) and unpaired UTF-16 surrogates.",
          details: problems,
        },
      );
    }
  });

  const shared = [...SHARED_SCHEMAS, ...options.schemas];
  for (const schema of shared) app.addSchema(schema);
  app.setValidatorCompiler(createValidatorCompiler(shared));
  declareRouteAccess(app);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Subtext API",
        version: services.version,
        description:
          "Messaging control plane for ISVs on Twilio. Authenticate with `Authorization: Bearer <admin token>` " +
          'or a tenant\'s `sk_…` key. Errors: `{"error":{"code","message","hint","twilio_code"?,"details"?}}`.',
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  registerErrorHandling(app);
  registerAuth(app, services);
  registerHttpMetrics(app, services.metrics);
  await registerRateLimits(app, services);

  app.get("/openapi.json", { config: { auth: "public" }, schema: { hide: true } }, async () => app.swagger());
  for (const plugin of [...options.routes, ...(options.extraRoutes ?? [])]) {
    await app.register(plugin);
  }
  return app;
}
