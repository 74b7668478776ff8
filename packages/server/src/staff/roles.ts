/**
 * What each staff role may do: an explicit allow-list per route. Roles narrow what the
 * principal could otherwise do: a staff session acts as the admin token (or, for a customer
 * user, as that tenant's key) and then its role keeps only the routes listed for it here.
 * A route missing from the table is refused to every role, so a new route is closed to staff
 * until someone decides who may call it (a test lists the routes without a rule).
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

type Roles = readonly StaffRole[];
/** Every signed-in user. */
const EVERYONE: Roles = STAFF_ROLES;
/** Who may read message bodies, phone numbers, business contact data and configuration. */
const READERS: Roles = ["owner", "admin", "developer", "read_only"];
/** Who may send, register, configure messaging and channels. */
const BUILDERS: Roles = ["owner", "admin", "developer"];
/** Who may create, suspend and close tenants (their subaccounts). */
const OPERATORS: Roles = ["owner", "admin"];
/** Who may set prices, markups and alert rules (money). */
const MONEY: Roles = ["owner", "admin", "billing"];
const ALERTING: Roles = ["owner", "admin", "developer", "billing"];
const OWNERS: Roles = ["owner"];

/** `METHOD /route/template` (Fastify's template, e.g. `/v1/tenants/:id`) → the roles it allows. */
export const ROUTE_ROLES: Readonly<Record<string, Roles>> = {
  "GET /metrics": OPERATORS,
  "GET /v1/system": EVERYONE,
  "GET /v1/sandbox/clock": EVERYONE,
  "POST /v1/sandbox/clock/advance": OPERATORS,
  "GET /v1/auth/me": EVERYONE,
  "POST /v1/auth/password": EVERYONE,

  "GET /v1/staff/users": OWNERS,
  "POST /v1/staff/users": OWNERS,
  "PATCH /v1/staff/users/:id": OWNERS,
  "DELETE /v1/staff/users/:id": OWNERS,

  "POST /v1/tenants": OPERATORS,
  "GET /v1/tenants": EVERYONE,
  "GET /v1/tenants/:id": EVERYONE,
  "PATCH /v1/tenants/:id": OPERATORS,
  "POST /v1/tenants/:id/api-keys": BUILDERS,
  "GET /v1/tenants/:id/api-keys": READERS,
  "DELETE /v1/tenants/:id/api-keys/:key_id": BUILDERS,

  "GET /v1/usage": EVERYONE,
  "GET /v1/prices": EVERYONE,
  "PUT /v1/prices": MONEY,
  "GET /v1/tenants/:id/billing": EVERYONE,
  "PUT /v1/tenants/:id/billing": MONEY,
  "GET /v1/tenants/:id/budget": EVERYONE,
  "PUT /v1/tenants/:id/budget": OPERATORS,
  "GET /v1/tenants/:id/statements/:month": EVERYONE,
  "GET /v1/alert-rules": EVERYONE,
  "POST /v1/alert-rules": ALERTING,
  "DELETE /v1/alert-rules/:id": ALERTING,
  "GET /v1/alerts": EVERYONE,
  "GET /v1/usage/drift": EVERYONE,
  "POST /v1/usage/drift/check": MONEY,
  "GET /v1/insights/overview": EVERYONE,
  "GET /v1/insights/tenants": EVERYONE,

  "GET /v1/webhook-endpoints": READERS,
  "POST /v1/webhook-endpoints": BUILDERS,
  "GET /v1/webhook-endpoints/:id": READERS,
  "PATCH /v1/webhook-endpoints/:id": BUILDERS,
  "DELETE /v1/webhook-endpoints/:id": BUILDERS,
  "GET /v1/webhook-endpoints/:id/deliveries": READERS,
  "GET /v1/events": READERS,
  "GET /v1/events/:id": READERS,
  "POST /v1/events/:id/replay": BUILDERS,

  "POST /v1/registrations/validate": BUILDERS,
  "POST /v1/registrations/recommend": BUILDERS,
  "POST /v1/tenants/:id/registrations": BUILDERS,
  "GET /v1/tenants/:id/registrations": READERS,
  "GET /v1/tenants/:id/registrations/:rid": READERS,
  "PATCH /v1/tenants/:id/registrations/:rid": BUILDERS,
  "POST /v1/tenants/:id/registrations/:rid/resubmit": BUILDERS,
  "POST /v1/tenants/:id/registrations/:rid/otp": BUILDERS,
  "POST /v1/tenants/:id/registrations/:rid/campaigns": BUILDERS,
  "GET /v1/tenants/:id/registrations/:rid/campaigns": READERS,
  "GET /v1/tenants/:id/registrations/:rid/campaigns/:cid": READERS,
  "DELETE /v1/tenants/:id/registrations/:rid/campaigns/:cid": BUILDERS,
  "POST /v1/tenants/:id/registrations/:rid/vettings": BUILDERS,
  "GET /v1/tenants/:id/registrations/:rid/vettings": READERS,
  "POST /v1/tenants/:id/short-codes": BUILDERS,
  "GET /v1/tenants/:id/short-codes": READERS,
  "GET /v1/tenants/:id/short-codes/:scid": READERS,
  "POST /v1/tenants/:id/short-codes/:scid/review": OPERATORS,
  "GET /v1/numbers/available": READERS,
  "GET /v1/numbers": READERS,
  "POST /v1/numbers": BUILDERS,
  "GET /v1/numbers/:id": READERS,
  "PATCH /v1/numbers/:id": BUILDERS,
  "DELETE /v1/numbers/:id": BUILDERS,
  "POST /v1/alpha-senders": BUILDERS,
  "GET /v1/alpha-senders": READERS,
  "GET /v1/alpha-senders/:id": READERS,
  "DELETE /v1/alpha-senders/:id": BUILDERS,
  "POST /v1/alpha-senders/:id/registrations": OPERATORS,
  "GET /v1/tenants/:id/countries": READERS,
  "PUT /v1/tenants/:id/countries": BUILDERS,
  "GET /v1/regulations": READERS,
  "POST /v1/tenants/:id/bundles": BUILDERS,
  "GET /v1/tenants/:id/bundles": READERS,
  "GET /v1/tenants/:id/bundles/:bid": READERS,
  "PATCH /v1/tenants/:id/bundles/:bid": BUILDERS,
  "POST /v1/tenants/:id/bundles/:bid/resubmit": BUILDERS,
  "GET /v1/messaging-services": READERS,
  "PATCH /v1/messaging-services/:id": BUILDERS,

  "POST /v1/messages": BUILDERS,
  "GET /v1/messages": READERS,
  "POST /v1/messages/batch": BUILDERS,
  "GET /v1/messages/:id": READERS,
  "POST /v1/messages/:id/cancel": BUILDERS,
  "GET /v1/opt-outs": READERS,
  "POST /v1/opt-outs": BUILDERS,
  "GET /v1/opt-outs.csv": READERS,
  "DELETE /v1/opt-outs/:phone": BUILDERS,
  "GET /v1/opt-outs/:phone/history": READERS,
  "POST /v1/opt-outs/import": BUILDERS,
  "GET /v1/messaging/settings": READERS,
  "PATCH /v1/messaging/settings": BUILDERS,
  "GET /v1/keyword-replies": READERS,
  "GET /v1/keyword-replies/in-force": READERS,
  "PUT /v1/keyword-replies": BUILDERS,
  "DELETE /v1/keyword-replies": BUILDERS,
  "GET /v1/lanes": READERS,
  "GET /v1/lanes/:id": READERS,
  "PATCH /v1/lanes/:id": BUILDERS,

  "POST /v1/verify/verifications": BUILDERS,
  "GET /v1/verify/verifications": READERS,
  "GET /v1/verify/verifications/:id": READERS,
  "POST /v1/verify/checks": BUILDERS,
  "GET /v1/verify/settings": READERS,
  "PUT /v1/verify/settings": BUILDERS,

  "POST /v1/whatsapp/senders": BUILDERS,
  "GET /v1/whatsapp/senders": READERS,
  "GET /v1/whatsapp/senders/:id": READERS,
  "POST /v1/whatsapp/templates": BUILDERS,
  "GET /v1/whatsapp/templates": READERS,
  "GET /v1/whatsapp/templates/:id": READERS,
  "POST /v1/whatsapp/templates/:id/submit": BUILDERS,
  "GET /v1/whatsapp/sessions": READERS,
  "POST /v1/whatsapp/opt-ins": BUILDERS,
  "GET /v1/whatsapp/opt-ins": READERS,
  "DELETE /v1/whatsapp/opt-ins/:phone": BUILDERS,

  "POST /v1/ivr-flows": BUILDERS,
  "POST /v1/ivr-flows/validate": BUILDERS,
  "GET /v1/ivr-flows": READERS,
  "PUT /v1/ivr-flows/:id": BUILDERS,
  "GET /v1/ivr-flows/:id": READERS,
  "POST /v1/calls": BUILDERS,
  "GET /v1/calls": READERS,
  "GET /v1/calls/:id": READERS,
};

/** The roles `METHOD route` allows (HEAD as GET), or undefined when the route has no rule. */
export function rolesFor(method: string, route: string): Roles | undefined {
  const verb = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  return ROUTE_ROLES[`${verb} ${route}`];
}

/** Whether `role` may call `method route`; a route without a rule is refused. */
export function roleAllows(role: StaffRole, method: string, route: string): boolean {
  return rolesFor(method, route)?.includes(role) ?? false;
}

/** The permissions the dashboard uses to show or hide actions (the server checks every call). */
export function rolePermissions(role: StaffRole) {
  return {
    manage_staff: OWNERS.includes(role),
    manage_tenants: OPERATORS.includes(role),
    write: BUILDERS.includes(role),
    billing: MONEY.includes(role),
    read_content: READERS.includes(role),
  };
}
