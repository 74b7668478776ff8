import type { Principal } from "../http/auth.js";
import { dateTime, nullableDateTime } from "../http/schemas.js";
import { Nullable, Type } from "../kernel/schema.js";
import { ROLE_LABELS, STAFF_ROLES, rolePermissions } from "./roles.js";
import type { StaffUserRow } from "./users.js";

export const StaffUserSchema = Type.Object(
  {
    id: Type.String({ examples: ["stf_01JC0000000000000000000000"] }),
    email: Type.String(),
    name: Type.String(),
    role: Type.Enum(STAFF_ROLES, { type: "string" }),
    tenant_id: Nullable(Type.String({ description: "Set for a customer user: sees this tenant only" })),
    totp_enabled: Type.Boolean(),
    disabled: Type.Boolean(),
    last_login_at: Type.Optional(nullableDateTime),
    created_at: dateTime,
  },
  { $id: "StaffUser" },
);

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

export const MeSchema = Type.Object({
  kind: Type.Enum(["staff", "admin_token", "tenant_key"], { type: "string" }),
  user: Type.Optional(
    Nullable(
      Type.Object({
        id: Type.Optional(Type.String()),
        email: Type.Optional(Type.String()),
        name: Type.Optional(Type.String()),
        role: Type.Optional(Type.String()),
        role_label: Type.Optional(Type.String()),
      }),
    ),
  ),
  tenant: Type.Optional(
    Nullable(
      Type.Object(
        {
          id: Type.Optional(Type.String()),
          name: Type.Optional(Type.String()),
          environment: Type.Optional(Type.String()),
        },
        { description: "The one tenant this caller sees (customer users and sk_ keys)" },
      ),
    ),
  ),
  permissions: Type.Object({
    manage_staff: Type.Optional(Type.Boolean()),
    manage_tenants: Type.Optional(Type.Boolean()),
    write: Type.Optional(Type.Boolean()),
    billing: Type.Optional(Type.Boolean()),
    read_content: Type.Optional(Type.Boolean()),
  }),
});

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
