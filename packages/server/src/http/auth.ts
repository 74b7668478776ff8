import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type StaffIdentity, staffPrincipal } from "../staff/principal.js";
import { SubtextError, notFound } from "../kernel/errors.js";
import { isAdminToken } from "../staff/admin-token.js";
import type { Services } from "../kernel/services.js";
import { cachedApiKeyOwner, touchApiKey } from "../tenancy/api-keys.js";
import { type TenantRow, findTenant } from "../tenancy/tenants.js";

/**
 * Who is calling: the operator (admin token) or one tenant (its sk_ key). Deny by default:
 * every route needs one of them unless its own route config says otherwise —
 * `config: { auth: "admin" }` restricts it to the operator, `"public"` opens it (health, docs,
 * sign-in, the dashboard's files) and `"twilio"` leaves it to the handler's own check of
 * Twilio's signature. The decision is made from the route the router matched, never from the
 * raw URL (which can be spelled many ways that reach the same route).
 * Tenant-scoped routes go through `tenantInScope()`/`assertOwnedBy()`, which answer 404 —
 * the same as for a missing id — when a tenant asks for another tenant's resources.
 */
export type Principal =
  | { kind: "admin"; staff?: StaffIdentity }
  | { kind: "tenant"; tenant: TenantRow; apiKeyId: string; staff?: StaffIdentity };

export type AuthRequirement = "public" | "twilio" | "any" | "admin" | "metrics";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function registerAuth(
  app: FastifyInstance,
  services: Pick<Services, "db" | "config" | "clock" | "wallClock" | "caches">,
): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (req) => {
    // No route matched: the not-found handler answers, and it reads nothing.
    if (req.is404) return;
    const requirement = authOf(req.routeOptions.config);
    if (requirement === "public" || requirement === "twilio") return;
    // A scraper may hold a token of its own that opens /metrics and nothing else.
    if (requirement === "metrics" && isMetricsToken(services.config, req.headers.authorization)) return;
    // A dashboard staff session (staff/) acts as the admin token or as one tenant, narrowed by its role.
    req.principal =
      (await staffPrincipal(services, req)) ?? (await authenticate(services, req.headers.authorization));
    if ((requirement === "admin" || requirement === "metrics") && req.principal.kind !== "admin") {
      throw new SubtextError("admin_required", 403, "This route needs the admin token.", {
        hint: "Tenant API keys (sk_…) only reach their own tenant's resources.",
      });
    }
  });
}

function isMetricsToken(config: Services["config"], header: string | undefined): boolean {
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  if (!token || !config.metricsToken) return false;
  const [a, b] = [Buffer.from(token), Buffer.from(config.metricsToken)];
  return a.length === b.length && timingSafeEqual(a, b);
}

async function authenticate(
  services: Pick<Services, "db" | "config" | "clock" | "caches">,
  header: string | undefined,
): Promise<Principal> {
  if (!header) throw missingCredentials();
  const token = BEARER.exec(header)?.[1];
  if (!token) {
    throw new SubtextError("invalid_credentials", 401, "The Authorization header is not `Bearer <token>`.", {
      hint: "Send `Authorization: Bearer <admin token or sk_… API key>`.",
      headers: { "www-authenticate": "Bearer" },
    });
  }
  if (!token.startsWith("sk_")) {
    if (await isAdminToken(services.db, services.config, token)) return { kind: "admin" };
    throw new SubtextError("invalid_credentials", 401, "The token is not valid.", {
      hint: "Use the admin token printed on first start (or SUBTEXT_ADMIN_TOKEN), or a tenant's sk_… key.",
      headers: { "www-authenticate": "Bearer" },
    });
  }
  const owner = await cachedApiKeyOwner(services, token);
  // One answer for unknown and revoked keys: a caller holding a leaked key learns nothing more.
  if (!owner || owner.key.revoked_at) {
    throw new SubtextError("invalid_api_key", 401, "The API key is not valid.", {
      hint: "Create a new key: POST /v1/tenants/{id}/api-keys with the admin token.",
      headers: { "www-authenticate": "Bearer" },
    });
  }
  if (owner.tenant.status === "suspended" || owner.tenant.status === "closed") {
    throw new SubtextError("tenant_suspended", 403, `The tenant is ${owner.tenant.status}.`, {
      hint:
        owner.tenant.status === "closed"
          ? "Closed tenants keep their records but cannot use the API."
          : "Ask the platform operator to reactivate the tenant.",
    });
  }
  await touchApiKey(services, owner.key.id, services.clock.now());
  return { kind: "tenant", tenant: owner.tenant, apiKeyId: owner.key.id };
}

/** What a route requires: its own config, else credentials (deny by default). */
export function authOf(config: { auth?: AuthRequirement } | undefined): AuthRequirement {
  return config?.auth ?? "any";
}

/**
 * The caller. A handler that needs one and finds none answers 401 — never "everyone": a route
 * opened by mistake must fail closed.
 */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw missingCredentials();
  return req.principal;
}

/** Whether the caller is the operator (admin token or an operator's staff session). */
export function isOperator(req: FastifyRequest): boolean {
  return principalOf(req).kind === "admin";
}

function missingCredentials(): SubtextError {
  return new SubtextError("missing_credentials", 401, "No credentials were sent.", {
    hint: "Send `Authorization: Bearer <admin token or sk_… API key>`.",
    headers: { "www-authenticate": "Bearer" },
  });
}

/** The tenant `tenantId` as seen by the caller: admins see all, a tenant only itself (else 404). */
export async function tenantInScope(
  req: FastifyRequest,
  services: Pick<Services, "db">,
  tenantId: string,
): Promise<TenantRow> {
  const principal = principalOf(req);
  if (principal.kind === "tenant" && principal.tenant.id !== tenantId) throw notFound("tenant", tenantId);
  const tenant = await findTenant(services.db, tenantId);
  if (!tenant) throw notFound("tenant", tenantId);
  return tenant;
}

/** For rows that carry a tenant_id: 404 unless the caller is admin or that tenant. */
export function assertOwnedBy(req: FastifyRequest, tenantId: string, what: string, id: string): void {
  const principal = principalOf(req);
  if (principal.kind === "tenant" && principal.tenant.id !== tenantId) throw notFound(what, id);
}

/**
 * The tenant a tenant-level request acts for (e.g. POST /v1/messages): the key's tenant, or,
 * for the admin token, the tenant named in the `Subtext-Tenant` header.
 */
export async function actingTenant(req: FastifyRequest, services: Pick<Services, "db">): Promise<TenantRow> {
  const principal = principalOf(req);
  if (principal.kind === "tenant") return principal.tenant;
  const header = req.headers["subtext-tenant"];
  const id = Array.isArray(header) ? header[0] : header;
  if (!id) {
    throw new SubtextError("tenant_required", 400, "The admin token acts for no tenant by itself.", {
      hint: "Use the tenant's sk_… key, or send `Subtext-Tenant: ten_…` with the admin token.",
    });
  }
  return tenantInScope(req, services, id);
}
