import type { Services } from "../system/services.js";
import { SubtextError } from "../system/errors.js";
import { isAdminToken } from "../system/admin-token.js";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./password.js";
import { findLiveSession, openSession, revokeSession } from "./sessions.js";
import { matchTotp, newTotpSecret, otpauthUrl } from "./totp.js";
import {
  type StaffUserRow,
  countStaffUsers,
  findStaffUser,
  findStaffUserByEmail,
  insertStaffUser,
  recordFailedAttempt,
  recordTotpSecret,
  recordTotpSuccess,
} from "./users.js";

/**
 * Signing in is two steps: a correct password buys a short-lived challenge; the challenge and
 * a TOTP code buy a session. A user without TOTP yet receives a new secret with the challenge
 * and enrolls by proving the first code, so every session has passed both factors.
 */
type Deps = Pick<Services, "db" | "vault" | "clock" | "config">;

export type LoginOutcome =
  | { status: "totp_required"; challenge: string; expires_at: string }
  | {
      status: "totp_setup_required";
      challenge: string;
      expires_at: string;
      totp: { secret: string; otpauth_url: string };
    };

const invalidLogin = () =>
  new SubtextError("invalid_login", 401, "The email or password is not right.", {
    hint: "Check both; after 10 failures in a row the account is locked for 15 minutes.",
  });

function assertNotLocked(user: StaffUserRow, now: Date): void {
  if (user.locked_until && user.locked_until > now) {
    const seconds = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
    throw new SubtextError(
      "account_locked",
      429,
      "Too many failed attempts; the account is locked for now.",
      {
        hint: `Try again in ${Math.ceil(seconds / 60)} minutes, or ask an owner to reset the password.`,
        headers: { "retry-after": String(seconds) },
      },
    );
  }
}

export async function login(
  services: Deps,
  input: { email: string; password: string; userAgent?: string; ip?: string },
): Promise<LoginOutcome> {
  const now = services.clock.now();
  const user = await findStaffUserByEmail(services.db, input.email);
  if (!user) {
    await verifyPassword(input.password, await decoyHash());
    throw invalidLogin();
  }
  assertNotLocked(user, now);
  if (!(await verifyPassword(input.password, user.password_hash))) {
    await recordFailedAttempt(services.db, user.id, now);
    throw invalidLogin();
  }
  if (user.disabled_at) {
    throw new SubtextError("account_disabled", 403, "This account is disabled.", {
      hint: "Ask an owner of the dashboard to enable it.",
    });
  }
  return services.db.tx(async (tx) => {
    const challenge = await openSession(tx, {
      userId: user.id,
      kind: "challenge",
      now,
      userAgent: input.userAgent,
      ip: input.ip,
    });
    const base = { challenge: challenge.token, expires_at: challenge.expiresAt.toISOString() };
    if (user.totp_enabled_at && user.totp_secret_id) return { status: "totp_required" as const, ...base };
    // Enrollment: a fresh secret each time until one is confirmed, so an abandoned QR code dies.
    const secret = newTotpSecret();
    await recordTotpSecret(tx, user.id, await services.vault.store(tx, "staff.totp", secret), now);
    return {
      status: "totp_setup_required" as const,
      ...base,
      totp: { secret, otpauth_url: otpauthUrl(secret, user.email) },
    };
  });
}

export async function verifyTotp(
  services: Deps,
  input: { challenge: string; code: string; userAgent?: string; ip?: string },
): Promise<{ user: StaffUserRow; session: { token: string; expiresAt: Date } }> {
  const now = services.clock.now();
  const challenge = await findLiveSession(services.db, input.challenge, "challenge", now);
  if (!challenge) {
    throw new SubtextError("challenge_expired", 401, "The sign-in step expired or was already used.", {
      hint: "Sign in again with your email and password.",
    });
  }
  const user = await findStaffUser(services.db, challenge.user_id);
  if (!user?.totp_secret_id || user.disabled_at) throw invalidLogin();
  assertNotLocked(user, now);
  const secret = await services.vault.read(services.db, user.totp_secret_id);
  const step = matchTotp(secret, input.code.replace(/\s/g, ""), now, user.totp_last_step);
  if (step === null) {
    await recordFailedAttempt(services.db, user.id, now);
    throw new SubtextError("invalid_totp_code", 401, "That code is not right.", {
      hint: "Enter the 6-digit code your authenticator app shows now; check the phone's clock is set automatically.",
    });
  }
  return services.db.tx(async (tx) => {
    await recordTotpSuccess(tx, user.id, step, now);
    await revokeSession(tx, input.challenge, now);
    const session = await openSession(tx, {
      userId: user.id,
      kind: "session",
      now,
      userAgent: input.userAgent,
      ip: input.ip,
    });
    return { user: (await findStaffUser(tx, user.id))!, session };
  });
}

/**
 * The first owner, created with the admin token (printed on first start) while there is no
 * staff account yet; afterwards owners add people from the dashboard.
 */
export async function bootstrapOwner(
  services: Deps,
  input: { admin_token: string; email: string; name: string; password: string },
): Promise<StaffUserRow> {
  if (!(await isAdminToken(services.db, services.config, input.admin_token))) {
    throw new SubtextError("invalid_credentials", 401, "The admin token is not valid.", {
      hint: "Use the token printed on first start, or SUBTEXT_ADMIN_TOKEN.",
    });
  }
  const problem = passwordProblem(input.password);
  if (problem) throw weakPassword(problem);
  const passwordHash = await hashPassword(input.password);
  return services.db.tx(async (tx) => {
    // Serializes two bootstraps racing on an empty table (PostgreSQL; PGlite has one connection).
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('subtext.staff.bootstrap'))");
    if ((await countStaffUsers(tx)) > 0) {
      throw new SubtextError("already_set_up", 409, "The dashboard already has staff accounts.", {
        hint: "Sign in, or ask an owner to add you.",
      });
    }
    return insertStaffUser(tx, {
      email: input.email,
      name: input.name,
      role: "owner",
      tenantId: null,
      passwordHash,
      now: services.clock.now(),
    });
  });
}

export function weakPassword(problem: string): SubtextError {
  return new SubtextError("weak_password", 422, "The password is too weak.", {
    hint: problem,
    details: [{ path: "/password", code: "weak_password", message: problem }],
  });
}
