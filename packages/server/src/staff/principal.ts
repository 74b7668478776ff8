import type { FastifyRequest } from "fastify";
import type { Principal } from "../http/auth.js";
import { SubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import type { TenantRow } from "../tenancy/tenants.js";
import { type StaffRole, roleAllows } from "./roles.js";
import { type SessionRow, findLiveSession, touchSession } from "./sessions.js";

/** Who a staff session is; carried on the principal so routes can say who did what. */
export interface StaffIdentity {
  userId: string;
  email: string;
  name: string;
  role: StaffRole;
  tenantId: string | null;
}

export const SESSION_COOKIE = "subtext_session";
/** Sent by the dashboard on every unsafe request; a cross-site form cannot add it (CSRF). */
export const CSRF_HEADER = "x-requested-with";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The session token a request carries: `Authorization: Bearer sts_…`, else the cookie. */
export function sessionTokenOf(req: FastifyRequest): { token: string; via: "bearer" | "cookie" } | null {
  const auth = req.headers.authorization;
  if (auth) {
    const token = /^Bearer\s+(sts_\S+)\s*$/i.exec(auth)?.[1];
    return token ? { token, via: "bearer" } : null;
  }
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : null;
}

type Joined = SessionRow & {
  email: string;
  name: string;
  role: StaffRole;
  tenant_id: string | null;
  disabled_at: Date | null;
};

/**
 * The principal of a staff session, or null when the request carries none (then the admin
 * token / sk_ key rules apply). A staff user acts as the admin token, or — scoped to a
 * tenant — as that tenant's key; the role then narrows which routes it may call.
 */
export async function staffPrincipal(
  services: Pick<Services, "db" | "wallClock">,
  req: FastifyRequest,
): Promise<Principal | null> {
  const presented = sessionTokenOf(req);
  if (!presented) return null;
  const now = services.wallClock.now();
  const session = await findLiveSession(services.db, presented.token, "session", now);
  const user = session
    ? await services.db.maybeOne<Joined>(
        "SELECT email, name, role, tenant_id, disabled_at FROM staff_users WHERE id = $1",
        [session.user_id],
      )
    : null;
  if (!session || !user || user.disabled_at) {
    throw new SubtextError("session_expired", 401, "Your session has ended.", {
      hint: "Sign in again.",
      headers: { "www-authenticate": "Bearer" },
    });
  }
  if (presented.via === "cookie" && UNSAFE.has(req.method) && req.headers[CSRF_HEADER] !== "subtext") {
    throw new SubtextError("csrf_check_failed", 403, "This request did not come from the dashboard.", {
      hint: `Send the header ${CSRF_HEADER}: subtext with cookie-authenticated changes.`,
    });
  }
  // The matched route's template, never the raw URL (many spellings reach one route).
  if (!roleAllows(user.role, req.method, req.routeOptions.url ?? "")) {
    throw new SubtextError("role_forbidden", 403, `The ${user.role.replace("_", "-")} role cannot do this.`, {
      hint: "Ask an owner for a role that allows it.",
    });
  }
  await touchSession(services.db, session, now);
  const staff: StaffIdentity = {
    userId: session.user_id,
    email: user.email,
    name: user.name,
    role: user.role,
    tenantId: user.tenant_id,
  };
  if (!user.tenant_id) return { kind: "admin", staff };
  const tenant = await services.db.maybeOne<TenantRow>("SELECT * FROM tenants WHERE id = $1", [
    user.tenant_id,
  ]);
  if (!tenant || tenant.status === "suspended" || tenant.status === "closed") {
    throw new SubtextError("tenant_suspended", 403, `The tenant is ${tenant?.status ?? "gone"}.`, {
      hint: "Ask the platform operator to reactivate the tenant.",
    });
  }
  return { kind: "tenant", tenant, apiKeyId: `staff:${session.user_id}`, staff };
}
