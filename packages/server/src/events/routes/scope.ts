import type { FastifyRequest } from "fastify";
import { principalOf, tenantInScope } from "../../http/auth.js";
import type { Services } from "../../kernel/services.js";

/**
 * Which tenant a list is about: a tenant key sees only its own tenant (naming another gives
 * 404, as for any foreign id); the admin token sees all tenants, or one named with
 * `tenant_id=` or the `Subtext-Tenant` header.
 */
export async function listScope(
  req: FastifyRequest,
  services: Pick<Services, "db">,
  tenantIdParam: string | undefined,
): Promise<string | null> {
  const principal = principalOf(req);
  if (principal.kind === "tenant") {
    if (tenantIdParam && tenantIdParam !== principal.tenant.id)
      await tenantInScope(req, services, tenantIdParam);
    return principal.tenant.id;
  }
  const header = req.headers["subtext-tenant"];
  const named = tenantIdParam ?? (Array.isArray(header) ? header[0] : header);
  if (!named) return null;
  return (await tenantInScope(req, services, named)).id;
}
