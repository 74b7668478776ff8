import { type Routes, idParam, responses } from "../../http/schemas.js";
import { isUniqueViolation } from "../../db/db.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { findTenant } from "../../tenancy/tenants.js";
import { weakPassword } from "../login.js";
import { hashPassword, passwordProblem } from "../password.js";
import { clearTotpThrottle } from "../throttle.js";
import { STAFF_ROLES } from "../roles.js";
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
const byId = Type.Object({ id: idParam("stf_") }, { additionalProperties: false });
const role = Type.Enum(STAFF_ROLES, { type: "string" });
const list = Type.Object({ data: Type.Array(Ref("StaffUser")) });

const lastOwner = () =>
  new SubtextError("last_owner", 409, "This is the last active owner.", {
    hint: "Make someone else an owner first.",
  });

/** Staff accounts, managed by owners (and the admin token). Routes under /v1/staff are owner-only. */
export function staffUserRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/staff/users",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "List staff accounts (optionally the customer users of one tenant)",
          querystring: Type.Object(
            { tenant_id: Type.Optional(idParam("ten_")) },
            { additionalProperties: false },
          ),
          response: responses({ 200: list }),
        },
      },
      async (req) => ({ data: (await listStaffUsers(services.db, req.query.tenant_id)).map(staffUserView) }),
    );

    app.post(
      "/v1/staff/users",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Add a staff account; it sets up TOTP at its first sign-in",
          description:
            "With `tenant_id` the account is a customer user: it sees and acts for that tenant only.",
          body: Type.Object(
            {
              email: Type.String({
                minLength: 3,
                maxLength: 254,
                pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
              }),
              name: Type.String({ minLength: 1, maxLength: 200 }),
              role,
              password: Type.String({ minLength: 1, maxLength: 200 }),
              tenant_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            },
            { additionalProperties: false },
          ),
          response: responses({ 201: Ref("StaffUser") }, [400, 401, 403, 404, 409, 422]),
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

    app.patch(
      "/v1/staff/users/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Change a staff account: name, role, password, disable, reset its TOTP",
          description: "A change of role, password, TOTP or enablement ends the user's sessions.",
          params: byId,
          body: Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              role: Type.Optional(role),
              password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              disabled: Type.Optional(Type.Boolean()),
              reset_totp: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: responses({ 200: Ref("StaffUser") }, [400, 401, 403, 404, 409, 422]),
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

    app.delete(
      "/v1/staff/users/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Delete a staff account",
          params: byId,
          response: responses({ 204: Type.Null() }, [400, 401, 403, 404, 409]),
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
