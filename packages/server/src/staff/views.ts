import type { Principal } from "../http/auth.js";
import { dateTime, nullableDateTime } from "../http/schemas.js";
import { ROLE_LABELS, STAFF_ROLES, rolePermissions } from "./roles.js";
import type { StaffUserRow } from "./users.js";

export const StaffUserSchema = {
  $id: "StaffUser",
  type: "object",
  required: ["id", "email", "name", "role", "tenant_id", "totp_enabled", "disabled", "created_at"],
  properties: {
    id: { type: "string", examples: ["stf_01JC0000000000000000000000"] },
    email: { type: "string" },
    name: { type: "string" },
    role: { type: "string", enum: STAFF_ROLES },
    tenant_id: { type: ["string", "null"], description: "Set for a customer user: sees this tenant only" },
    totp_enabled: { type: "boolean" },
    disabled: { type: "boolean" },
    last_login_at: nullableDateTime,
    created_at: dateTime,
  },
} as const;

export function staffUserView(u: StaffUserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    tenant_id: u.tenant_id,
    totp_enabled: u.totp_enabled_at !== null,
    disabled: u.disabled_at !== null,
    last_login_at: u.last_login_at?.toISOString() ?? null,
    created_at: u.created_at.toISOString(),
  };
}

export const MeSchema = {
  type: "object",
  required: ["kind", "permissions"],
  properties: {
    kind: { type: "string", enum: ["staff", "admin_token", "tenant_key"] },
    user: {
      type: ["object", "null"],
      properties: {
        id: { type: "string" },
        email: { type: "string" },
        name: { type: "string" },
        role: { type: "string" },
        role_label: { type: "string" },
      },
    },
    tenant: {
      type: ["object", "null"],
      description: "The one tenant this caller sees (customer users and sk_ keys)",
      properties: { id: { type: "string" }, name: { type: "string" }, environment: { type: "string" } },
    },
    permissions: {
      type: "object",
      properties: {
        manage_staff: { type: "boolean" },
        manage_tenants: { type: "boolean" },
        write: { type: "boolean" },
        billing: { type: "boolean" },
        read_content: { type: "boolean" },
      },
    },
  },
} as const;

/** Who is calling and what the dashboard should offer them. */
export function meView(p: Principal) {
  const tenant =
    p.kind === "tenant" ? { id: p.tenant.id, name: p.tenant.name, environment: p.tenant.environment } : null;
  if (p.staff) {
    const permissions = rolePermissions(p.staff.role);
    // A customer user never manages the ISV's tenants or staff, whatever its role.
    if (p.kind === "tenant") Object.assign(permissions, { manage_staff: false, manage_tenants: false });
    return {
      kind: "staff" as const,
      user: {
        id: p.staff.userId,
        email: p.staff.email,
        name: p.staff.name,
        role: p.staff.role,
        role_label: ROLE_LABELS[p.staff.role],
      },
      tenant,
      permissions,
    };
  }
  if (p.kind === "admin")
    return { kind: "admin_token" as const, user: null, tenant, permissions: rolePermissions("owner") };
  return {
    kind: "tenant_key" as const,
    user: null,
    tenant,
    permissions: { ...rolePermissions("admin"), manage_tenants: false },
  };
}
