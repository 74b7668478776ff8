import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { TwilioError } from "../core/errors.js";

/** Every control route lives under this prefix; the token guards the prefix, not a route list. */
export const CONTROL_PREFIX = "/_emulator/";

export const isControlPath = (path: string) => path === "/_emulator" || path.startsWith(CONTROL_PREFIX);

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The control API hands out every account's auth token and rewrites the emulator's world, so
 * when a control token is configured each request must carry `Authorization: Bearer <token>`.
 * Without one (the standalone emulator's default) the control API is open.
 */
export function checkControlToken(expected: string | undefined, headers: IncomingHttpHeaders): void {
  if (expected === undefined) return;
  const presented = BEARER.exec(headers.authorization ?? "")?.[1];
  if (presented !== undefined && sameSecret(presented, expected)) return;
  throw new TwilioError(
    20003,
    401,
    presented === undefined
      ? "The emulator's control API needs `Authorization: Bearer <control token>`"
      : "The control token is not valid",
    { "www-authenticate": 'Bearer realm="subtext-emulator control API"' },
  );
}

/** Compares in constant time: both sides are hashed first, so lengths leak nothing either. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}
