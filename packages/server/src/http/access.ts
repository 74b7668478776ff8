import type { FastifyInstance } from "fastify";
import { type AuthRequirement, authOf } from "./auth.js";

/** One registered route and who may reach it. */
export interface RouteAccess {
  method: string;
  url: string;
  auth: AuthRequirement;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route of the app with its access rule, in registration order (tests, docs). */
    routeAccess: RouteAccess[];
  }
}

/** Where @fastify/swagger-ui serves its pages (public: the API reference). */
export const DOCS_PREFIX = "/docs";

/**
 * Gives each route its access rule as it is registered: a route without `config.auth` needs
 * credentials (deny by default), the API reference pages are public, and the OpenAPI document
 * states what each route requires, so the docs cannot disagree with the server. Must be
 * registered before @fastify/swagger, which reads the schemas through the same hook.
 */
export function declareRouteAccess(app: FastifyInstance): void {
  const routes: RouteAccess[] = [];
  app.decorate("routeAccess", routes);
  app.addHook("onRoute", (route) => {
    const config = (route.config ?? {}) as { auth?: AuthRequirement };
    if (config.auth === undefined && (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`))) {
      config.auth = "public";
    }
    route.config = config as typeof route.config;
    const auth = authOf(config);
    if (route.schema && !route.schema.hide) {
      const schema = route.schema as { security?: unknown[] };
      schema.security = auth === "public" || auth === "twilio" ? [] : [{ bearer: [] }];
    }
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, auth });
  });
}
