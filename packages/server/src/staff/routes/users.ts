import type { FastifyPluginAsync } from "fastify";
import { idParam, responses } from "../../http/schemas.js";
import { isUniqueViolation } from "../../db/db.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { findTenant } from "../../tenancy/tenants.js";
import { weakPassword } from "../login.js";
import { hashPassword, passwordProblem } from "../password.js";
import { clearTotpThrottle } from "../throttle.js";
import { STAFF_ROLES, type StaffRole } from "../roles.js";
import { revokeUserSessions } from "../sessions.js";
import {
  countActiveOwners,
  deleteStaffUser,
  findStaffUser,
  insertStaffUser,
  listStaffUsers,
  updateStaffUser,
} from "../users.js";
import { StaffUserSchema, staffUserView } from "../views.js";

const tags = ["staff"];
const security = [{ bearer: [] }];
const byId = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: idParam("stf_") },
} as const;
const role = { type: "string", enum: STAFF_ROLES } as const;
const list = {
  type: "object",
  required: ["data"],
  properties: { data: { type: "array", items: { $ref: "StaffUser#" } } },
} as const;

interface CreateBody {
  email: string;
  name: string;
  role: StaffRole;
  password: string;
  tenant_id?: string | null;
}
interface PatchBody {
  name?: string;
  role?: StaffRole;
  password?: string;
  disabled?: boolean;
  reset_totp?: boolean;
}

const lastOwner = () =>
  new SubtextError("last_owner", 409, "This is the last active owner.", {
    hint: "Make someone else an owner first.",
  });

/** Staff accounts, managed by owners (and the admin token). Routes under /v1/staff are owner-only. */
export function staffUserRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { tenant_id?: string } }>(
      "/v1/staff/users",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "List staff accounts (optionally the customer users of one tenant)",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { tenant_id: idParam("ten_") },
          },
          response: responses({ 200: list }),
        },
      },
      async (req) => ({ data: (await listStaffUsers(services.db, req.query.tenant_id)).map(staffUserView) }),
    );

    app.post<{ Body: CreateBody }>(
      "/v1/staff/users",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Add a staff account; it sets up TOTP at its first sign-in",
          description:
            "With `tenant_id` the account is a customer user: it sees and acts for that tenant only.",
          body: {
            type: "object",
            required: ["email", "name", "role", "password"],
            additionalProperties: false,
            properties: {
              email: {
                type: "string",
                minLength: 3,
                maxLength: 254,
                pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
              },
              name: { type: "string", minLength: 1, maxLength: 200 },
              role,
              password: { type: "string", minLength: 1, maxLength: 200 },
              tenant_id: { type: ["string", "null"], maxLength: 64 },
            },
          },
          response: responses({ 201: { $ref: "StaffUser#" } }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req, reply) => {
        const body = req.body;
        if (body.tenant_id) {
          if (!(await findTenant(services.db, body.tenant_id))) throw notFound("tenant", body.tenant_id);
          if (body.role === "owner") {
            throw new SubtextError("invalid_role", 422, "A customer user cannot be an owner.", {
              hint: "Owners manage the whole platform; give customer users admin or a narrower role.",
              details: [{ path: "/role", code: "invalid_role", message: "owner is for platform staff" }],
            });
          }
        }
        const problem = passwordProblem(body.password);
        if (problem) throw weakPassword(problem);
        try {
          const user = await insertStaffUser(services.db, {
            email: body.email,
            name: body.name.trim(),
            role: body.role,
            tenantId: body.tenant_id ?? null,
            passwordHash: await hashPassword(body.password),
            now: services.wallClock.now(),
          });
          return reply.code(201).send(staffUserView(user));
        } catch (err) {
          if (isUniqueViolation(err)) {
            throw new SubtextError("email_taken", 409, "A staff account with this email exists.", {
              hint: "Emails are compared without case.",
            });
          }
          throw err;
        }
      },
    );

    app.patch<{ Params: { id: string }; Body: PatchBody }>(
      "/v1/staff/users/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Change a staff account: name, role, password, disable, reset its TOTP",
          description: "A change of role, password, TOTP or enablement ends the user's sessions.",
          params: byId,
          body: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name: { type: "string", minLength: 1, maxLength: 200 },
              role,
              password: { type: "string", minLength: 1, maxLength: 200 },
              disabled: { type: "boolean" },
              reset_totp: { type: "boolean" },
            },
          },
          response: responses({ 200: { $ref: "StaffUser#" } }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req) => {
        const { id } = req.params;
        const body = req.body;
        if (body.password !== undefined) {
          const problem = passwordProblem(body.password);
          if (problem) throw weakPassword(problem);
        }
        const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
        const now = services.wallClock.now();
        return services.db.tx(async (tx) => {
          const user = await findStaffUser(tx, id);
          if (!user) throw notFound("staff user", id);
          if (body.role === "owner" && user.tenant_id)
            throw new SubtextError("invalid_role", 422, "A customer user cannot be an owner.");
          const losesOwner =
            user.role === "owner" && ((body.role && body.role !== "owner") || body.disabled === true);
          if (losesOwner && (await countActiveOwners(tx)) <= 1) throw lastOwner();
          const updated = await updateStaffUser(
            tx,
            id,
            {
              name: body.name?.trim(),
              role: body.role,
              passwordHash,
              disabled: body.disabled,
              resetTotp: body.reset_totp,
            },
            now,
          );
          const endsSessions = body.role !== undefined || passwordHash || body.disabled || body.reset_totp;
          if (endsSessions) await revokeUserSessions(tx, id, now);
          if (passwordHash) await clearTotpThrottle(tx, id);
          return staffUserView(updated);
        });
      },
    );

    app.delete<{ Params: { id: string } }>(
      "/v1/staff/users/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Delete a staff account",
          params: byId,
          response: responses({ 204: { type: "null" } }, [400, 401, 403, 404, 409]),
        },
      },
      async (req, reply) => {
        await services.db.tx(async (tx) => {
          const user = await findStaffUser(tx, req.params.id);
          if (!user) throw notFound("staff user", req.params.id);
          if (user.role === "owner" && !user.disabled_at && (await countActiveOwners(tx)) <= 1)
            throw lastOwner();
          await deleteStaffUser(tx, user.id);
        });
        return reply.code(204).send();
      },
    );
  };
}

export const STAFF_SCHEMAS = [StaffUserSchema];
