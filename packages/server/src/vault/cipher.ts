import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM with the key named in every ciphertext:
 *   v1:<key id>:<iv>:<tag>:<ciphertext>   (base64url parts)
 * The key id lets old ciphertexts stay readable while `rotate-master-key` re-encrypts them,
 * and `aad` binds a ciphertext to its row so it cannot be moved to another.
 */
const FORMAT = "v1";

export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("subtext.master-key.id").update(key).digest("base64url").slice(0, 10);
}

export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    FORMAT,
    keyIdOf(key),
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    ct.toString("base64url"),
  ].join(":");
}

export function parseSealed(sealed: string): { keyId: string; iv: Buffer; tag: Buffer; ct: Buffer } {
  const parts = sealed.split(":");
  if (parts.length !== 5 || parts[0] !== FORMAT) throw new Error("not a v1 ciphertext");
  return {
    keyId: parts[1],
    iv: Buffer.from(parts[2], "base64url"),
    tag: Buffer.from(parts[3], "base64url"),
    ct: Buffer.from(parts[4], "base64url"),
  };
}

export function open(key: Buffer, sealed: string, aad: string): string {
  const { iv, tag, ct } = parseSealed(sealed);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
}
