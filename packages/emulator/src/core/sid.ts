import { randomBytes } from "node:crypto";

/** A Twilio SID: two-letter prefix plus 32 lowercase hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

export function newToken(): string {
  return randomBytes(16).toString("hex");
}

export const isSid = (value: string, prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
