import type { FastifyReply, FastifyRequest } from "fastify";
import { principalOf } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { Ref, type Static, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { SubtextError } from "../../kernel/errors.js";
import { bootstrapOwner, login, verifyTotp, weakPassword } from "../login.js";
import { hashPassword, passwordProblem, verifyPassword } from "../password.js";
import { SESSION_COOKIE, sessionTokenOf } from "../principal.js";
import { SESSION_TTL_MS, revokeSession, revokeUserSessions } from "../sessions.js";
import { clearTotpThrottle } from "../throttle.js";
import { type StaffUserRow, countStaffUsers, findStaffUser, updateStaffUser } from "../users.js";
import { MeSchema, meView, staffUserView } from "../views.js";

const tags = ["auth"];
const email = Type.String({
  minLength: 3,
  maxLength: 254,
  pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
});
const password = Type.String({ minLength: 1, maxLength: 200 });
const PasswordChange = Type.Object(
  { current_password: password, new_password: password },
  { additionalProperties: false },
);

/**
 * `Secure` whenever the browser reached us over https: as Fastify sees the request (behind a
 * TLS proxy that needs SUBTEXT_TRUST_PROXY, so X-Forwarded-Proto is believed), or because the
 * public URL is https (the proxy's scheme is then known even when the header is not trusted).
 */
function sessionCookie(
  services: Services,
  req: FastifyRequest,
  value: string,
  maxAgeSeconds: number,
): string {
  const https = req.protocol === "https" || services.config.publicUrl?.startsWith("https:") === true;
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${https ? "; Secure" : ""}`;
}

const clientOf = (req: FastifyRequest) => ({ userAgent: req.headers["user-agent"], ip: req.ip });

/** Sign-in, sign-out and who-am-I for the dashboard's staff (and any caller for /me). */
export function authRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/auth/setup",
      {
        config: { auth: "public" },
        schema: {
          tags,
          summary: "Whether the first owner still has to be created (POST /v1/auth/bootstrap)",
          response: { 200: Type.Object({ needs_bootstrap: Type.Optional(Type.Boolean()) }) },
        },
      },
      async () => ({ needs_bootstrap: (await countStaffUsers(services.db)) === 0 }),
    );

    app.post(
      "/v1/auth/bootstrap",
      {
        config: { auth: "public" },
        schema: {
          tags,
          summary: "Create the first owner with the admin token (only while there is no staff account)",
          body: Type.Object(
            {
              admin_token: Type.String({ maxLength: 200 }),
              email,
              name: Type.String({ minLength: 1, maxLength: 200 }),
              password,
            },
            { additionalProperties: false },
          ),
          response: responses({ 201: Ref("StaffUser") }, [400, 401, 409, 422]),
        },
      },
      async (req, reply) => reply.code(201).send(staffUserView(await bootstrapOwner(services, req.body))),
    );

    app.post(
      "/v1/auth/login",
      {
        config: { auth: "public" },
        schema: {
          tags,
          summary: "Step 1 of sign-in: email and password → a challenge for the TOTP step",
          description:
            "Answers `totp_required`, or `totp_setup_required` with a new secret (and otpauth URL) when the user " +
            "has no authenticator yet: the first code proves it and turns TOTP on. With `code` (a user with TOTP " +
            "on), both factors are checked at once and the answer is `signed_in` with the session, as from " +
            "/v1/auth/totp. Failures make later tries wait (429 with Retry-After): per address always; per " +
            "account a password alone (`account_throttled`), while password and code together are still checked.",
          body: Type.Object(
            {
              email: Type.String({ maxLength: 254 }),
              password,
              code: Type.Optional(Type.String({ maxLength: 12 })),
              return_token: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
          response: responses(
            {
              200: Type.Object({
                status: Type.Enum(["totp_required", "totp_setup_required", "signed_in"], { type: "string" }),
                challenge: Type.Optional(Type.String()),
                expires_at: Type.String(),
                totp: Type.Optional(
                  Type.Object({
                    secret: Type.Optional(Type.String()),
                    otpauth_url: Type.Optional(Type.String()),
                  }),
                ),
                user: Type.Optional(Ref("StaffUser")),
                token: Type.Optional(Type.String()),
              }),
            },
            [400, 401, 403, 429],
          ),
        },
      },
      async (req, reply) => {
        const { email, password, code } = req.body;
        const outcome = await login(services, { email, password, code, ...clientOf(req) });
        if (outcome.status !== "signed_in") return outcome;
        const answer = signedIn(services, req, reply, outcome.user, outcome.session, req.body.return_token);
        return { status: "signed_in", ...answer };
      },
    );

    app.post(
      "/v1/auth/totp",
      {
        config: { auth: "public" },
        schema: {
          tags,
          summary: "Step 2 of sign-in: the challenge and a TOTP code → a session (HttpOnly cookie)",
          description:
            "`return_token: true` also returns the `sts_…` token for `Authorization: Bearer` use (CLI, scripts).",
          body: Type.Object(
            {
              challenge: Type.String({ maxLength: 200 }),
              code: Type.String({ maxLength: 12 }),
              return_token: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
          response: responses(
            {
              200: Type.Object({
                user: Ref("StaffUser"),
                expires_at: Type.String(),
                token: Type.Optional(Type.String()),
              }),
            },
            [400, 401, 429],
          ),
        },
      },
      async (req, reply) => {
        const { user, session } = await verifyTotp(services, { ...req.body, ...clientOf(req) });
        return signedIn(services, req, reply, user, session, req.body.return_token);
      },
    );

    app.post(
      "/v1/auth/logout",
      {
        config: { auth: "public" },
        schema: {
          tags,
          summary: "End this staff session (and clear its cookie)",
          // Through responses() (no error statuses) so that the handler's bare send() types.
          response: responses({ 204: Type.Null() }, []),
        },
      },
      async (req, reply) => {
        const presented = sessionTokenOf(req);
        if (presented) await revokeSession(services.db, presented.token, services.wallClock.now());
        reply.header("set-cookie", sessionCookie(services, req, "", 0));
        return reply.code(204).send();
      },
    );

    app.get(
      "/v1/auth/me",
      {
        schema: {
          tags,
          security: [{ bearer: [] }],
          summary: "Who is calling: a staff user (role, permissions), the admin token, or a tenant key",
          response: responses({ 200: MeSchema }, [401, 403]),
        },
      },
      async (req) => meView(principalOf(req)),
    );

    app.post(
      "/v1/auth/password",
      {
        schema: {
          tags,
          security: [{ bearer: [] }],
          summary: "Change your own password (ends your other sessions)",
          body: PasswordChange,
          response: responses({ 204: Type.Null() }, [400, 401, 403, 422]),
        },
      },
      async (req, reply) => changeOwnPassword(services, req, req.body, reply),
    );
  };
}

/** Sets the session cookie; the body `/v1/auth/totp` answers (and a one-step login, with its status). */
function signedIn(
  services: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  user: StaffUserRow,
  session: { token: string; expiresAt: Date },
  returnToken: boolean | undefined,
) {
  reply.header("set-cookie", sessionCookie(services, req, session.token, SESSION_TTL_MS / 1000));
  return {
    user: staffUserView(user),
    expires_at: session.expiresAt.toISOString(),
    ...(returnToken ? { token: session.token } : {}),
  };
}

async function changeOwnPassword(
  services: Services,
  req: FastifyRequest,
  body: Static<typeof PasswordChange>,
  reply: FastifyReply,
) {
  const staff = principalOf(req).staff;
  if (!staff)
    throw new SubtextError("staff_session_required", 403, "Only a signed-in staff user has a password.");
  const user = (await findStaffUser(services.db, staff.userId))!;
  if (!(await verifyPassword(body.current_password, user.password_hash))) {
    throw new SubtextError("invalid_login", 401, "The current password is not right.");
  }
  const problem = passwordProblem(body.new_password);
  if (problem) throw weakPassword(problem);
  const passwordHash = await hashPassword(body.new_password);
  const now = services.wallClock.now();
  const current = sessionTokenOf(req)!;
  await services.db.tx(async (tx) => {
    await updateStaffUser(tx, user.id, { passwordHash }, now);
    await revokeUserSessions(tx, user.id, now, current.token);
    await clearTotpThrottle(tx, user.id);
  });
  return reply.code(204).send();
}
