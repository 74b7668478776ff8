/**
 * What each staff role may do, as a pure function of the route. Roles narrow what the
 * principal could otherwise do: a staff session acts as the admin token (or, for a customer
 * user, as that tenant's key) and then its role removes routes from that.
 */
export const STAFF_ROLES = ["owner", "admin", "developer", "billing", "read_only"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const ROLE_LABELS: Record<StaffRole, string> = {
  owner: "Owner",
  admin: "Admin",
  developer: "Developer",
  billing: "Billing",
  read_only: "Read-only",
};

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Routes every signed-in user may call on their own account, whatever the role. */
const SELF_SERVICE = /^\/v1\/auth\//;
/** Managing staff accounts. */
const STAFF_ADMIN = /^\/v1\/staff\//;
/** Creating, suspending and closing tenants (their subaccounts). */
const TENANT_LIFECYCLE = /^\/v1\/tenants\/?(:id)?$/;
/** Money: prices, markups, statements. */
const BILLING = /^\/v1\/(usage|prices|billing|statements|tenants\/:id\/(billing|statements))/;
/**
 * Reads that carry message bodies or phone numbers; billing staff see money, not content.
 * Preview is a pure computation and stays open.
 */
const CONTENT = /^\/v1\/(messages(?!\/preview)|opt-outs|events)/;

/**
 * Whether `role` may call `method route` (route = Fastify's URL template, e.g.
 * `/v1/tenants/:id`). Routes outside /v1 are not the role's business (public or Twilio-signed).
 */
export function roleAllows(role: StaffRole, method: string, route: string): boolean {
  if (!route.startsWith("/v1/") || SELF_SERVICE.test(route)) return true;
  const read = READS.has(method.toUpperCase());
  switch (role) {
    case "owner":
      return true;
    case "admin":
      return !STAFF_ADMIN.test(route);
    case "developer":
      if (STAFF_ADMIN.test(route)) return false;
      return read || !(TENANT_LIFECYCLE.test(route) || BILLING.test(route));
    case "billing":
      if (STAFF_ADMIN.test(route)) return false;
      if (read) return !CONTENT.test(route);
      return BILLING.test(route);
    case "read_only":
      return read && !STAFF_ADMIN.test(route);
  }
}

/** The permissions the dashboard uses to show or hide actions (the server checks every call). */
export function rolePermissions(role: StaffRole) {
  return {
    manage_staff: role === "owner",
    manage_tenants: role === "owner" || role === "admin",
    write: role === "owner" || role === "admin" || role === "developer",
    billing: role !== "developer" && role !== "read_only",
    read_content: role !== "billing",
  };
}
