import type { Services } from "../kernel/services.js";
import { SubtextError } from "../kernel/errors.js";
import { isAdminToken } from "./admin-token.js";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./password.js";
import { findLiveSession, openSession, revokeSession } from "./sessions.js";
import {
  type Claim,
  accountKey,
  claimAttempt,
  recordFailure,
  refundAttempt,
  sourceKey,
  totpKey,
} from "./throttle.js";
import { matchTotp, newTotpSecret, otpauthUrl } from "./totp.js";
import {
  type StaffUserRow,
  countStaffUsers,
  findStaffUser,
  findStaffUserByEmail,
  insertStaffUser,
  recordTotpSecret,
  recordTotpSuccess,
} from "./users.js";

/**
 * Signing in is two steps: a correct password buys a short-lived challenge; the challenge and
 * a TOTP code buy a session. A user without TOTP yet receives a new secret with the challenge
 * and enrolls by proving the first code, so every session has passed both factors. A user with
 * TOTP may also send the code with the password and be signed in at once: the way in while the
 * account is throttled (staff/throttle.ts explains the waits).
 */
type Deps = Pick<Services, "db" | "vault" | "wallClock" | "config">;
type Client = { userAgent?: string; ip?: string };
const clientOf = (c: Client): Client => ({ userAgent: c.userAgent, ip: c.ip });
type Session = { token: string; expiresAt: Date };

export type LoginOutcome =
  | { status: "totp_required"; challenge: string; expires_at: string }
  | {
      status: "totp_setup_required";
      challenge: string;
      expires_at: string;
      totp: { secret: string; otpauth_url: string };
    }
  | { status: "signed_in"; user: StaffUserRow; session: Session };

/** The same answer whether the account exists or not, and whichever part was wrong. */
const invalidLogin = (withCode: boolean) =>
  new SubtextError(
    "invalid_login",
    401,
    withCode ? "The email, password or code is not right." : "The email or password is not right.",
    { hint: "Check and try again; after a few failures each further try has to wait longer." },
  );

const inTime = (seconds: number) =>
  seconds === 1 ? "1 second" : seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;

function throttled(code: string, message: string, hint: string, seconds: number): SubtextError {
  return new SubtextError(code, 429, message, { hint, headers: { "retry-after": String(seconds) } });
}

/** Counts this attempt against the client's address, or refuses it while the address waits. */
async function claimForSource(services: Deps, ip: string | undefined, now: Date): Promise<Claim> {
  const claim = await claimAttempt(services.db, sourceKey(ip), now);
  if ("key" in claim) return claim;
  throw throttled(
    "sign_in_throttled",
    "Too many failed sign-ins from this address.",
    `Try again in ${inTime(claim.waitSeconds)}.`,
    claim.waitSeconds,
  );
}

async function refund(services: Deps, ...claims: (Claim | null)[]): Promise<void> {
  for (const claim of claims) if (claim) await refundAttempt(services.db, claim);
}

export async function login(
  services: Deps,
  input: { email: string; password: string; code?: string } & Client,
): Promise<LoginOutcome> {
  const now = services.wallClock.now();
  const source = await claimForSource(services, input.ip, now);
  // A password alone counts against the account first; with a code it is looked at anyway.
  let account: Claim | null = null;
  if (input.code === undefined) {
    const claim = await claimAttempt(services.db, accountKey(input.email), now);
    if (!("key" in claim)) {
      await refund(services, source);
      throw throttled(
        "account_throttled",
        "Too many failed sign-ins for this account: a password alone is not accepted for now.",
        `Send the current 6-digit code from your authenticator app with the password, or try again in ${inTime(claim.waitSeconds)}.`,
        claim.waitSeconds,
      );
    }
    account = claim;
  }
  const found = await findStaffUserByEmail(services.db, input.email);
  // Unknown accounts are hashed against too, so the time taken does not tell them apart.
  const matches = await verifyPassword(input.password, found?.password_hash ?? (await decoyHash()));
  const user = matches ? found : null;
  if (user?.disabled_at) {
    await refund(services, source, account);
    throw new SubtextError("account_disabled", 403, "This account is disabled.", {
      hint: "Ask an owner of the dashboard to enable it.",
    });
  }
  if (input.code !== undefined) {
    const session = user && (await secondFactor(services, user, input.code, now, clientOf(input)));
    if (!session) {
      await recordFailure(services.db, accountKey(input.email), now);
      throw invalidLogin(true);
    }
    await refund(services, source);
    return { status: "signed_in", ...session };
  }
  if (!user) throw invalidLogin(false);
  await refund(services, source, account);
  return openChallenge(services, user, now, clientOf(input));
}

async function openChallenge(
  services: Deps,
  user: StaffUserRow,
  now: Date,
  client: Client,
): Promise<LoginOutcome> {
  return services.db.tx(async (tx) => {
    const challenge = await openSession(tx, { userId: user.id, kind: "challenge", now, ...client });
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

/**
 * The code sent with a correct password: a session, or null (wrong, replayed, not enrolled,
 * or the account's wrong-code counter is waiting — told apart from a wrong code to no one).
 */
async function secondFactor(
  services: Deps,
  user: StaffUserRow,
  code: string,
  now: Date,
  client: Client,
): Promise<{ user: StaffUserRow; session: Session } | null> {
  if (!user.totp_enabled_at || !user.totp_secret_id) return null;
  const claim = await claimAttempt(services.db, totpKey(user.id), now);
  if (!("key" in claim)) return null;
  const secret = await services.vault.read(services.db, user.totp_secret_id);
  const step = matchTotp(secret, code.replace(/\s/g, ""), now, user.totp_last_step);
  const signedIn = step === null ? null : await openUserSession(services, user, step, now, client);
  if (signedIn) await refund(services, claim);
  return signedIn;
}

export async function verifyTotp(
  services: Deps,
  input: { challenge: string; code: string } & Client,
): Promise<{ user: StaffUserRow; session: Session }> {
  const now = services.wallClock.now();
  const source = await claimForSource(services, input.ip, now);
  const challenge = await findLiveSession(services.db, input.challenge, "challenge", now);
  const user = challenge && (await findStaffUser(services.db, challenge.user_id));
  if (!user?.totp_secret_id || user.disabled_at) {
    throw new SubtextError("challenge_expired", 401, "The sign-in step expired or was already used.", {
      hint: "Sign in again with your email and password.",
    });
  }
  // Only a caller who knew the password gets here, so this wait tells nobody new anything.
  const claim = await claimAttempt(services.db, totpKey(user.id), now);
  if (!("key" in claim)) {
    await refund(services, source);
    throw throttled(
      "totp_throttled",
      "Too many wrong codes for this account.",
      `Try again in ${inTime(claim.waitSeconds)}, or ask an owner to set a new password for you.`,
      claim.waitSeconds,
    );
  }
  const secret = await services.vault.read(services.db, user.totp_secret_id);
  const step = matchTotp(secret, input.code.replace(/\s/g, ""), now, user.totp_last_step);
  const signedIn =
    step === null ? null : await openUserSession(services, user, step, now, clientOf(input), input.challenge);
  if (!signedIn) {
    throw new SubtextError("invalid_totp_code", 401, "That code is not right.", {
      hint: "Enter the 6-digit code your authenticator app shows now; check the phone's clock is set automatically.",
    });
  }
  await refund(services, source, claim);
  return signedIn;
}

/** Both factors passed at `step`: a session, or null when that step was used meanwhile (replay). */
async function openUserSession(
  services: Deps,
  user: StaffUserRow,
  step: number,
  now: Date,
  client: Client,
  challenge?: string,
): Promise<{ user: StaffUserRow; session: Session } | null> {
  return services.db.tx(async (tx) => {
    if (!(await recordTotpSuccess(tx, user.id, step, now))) return null;
    if (challenge) await revokeSession(tx, challenge, now);
    const session = await openSession(tx, { userId: user.id, kind: "session", now, ...client });
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
      now: services.wallClock.now(),
    });
  });
}

export function weakPassword(problem: string): SubtextError {
  return new SubtextError("weak_password", 422, "The password is too weak.", {
    hint: problem,
    details: [{ path: "/password", code: "weak_password", message: problem }],
  });
}
