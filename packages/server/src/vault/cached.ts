import type { Services } from "../kernel/services.js";

/**
 * A secret's plaintext from the runtime's cache. Secrets never change under an id (a key
 * rotation re-encrypts the same plaintext; a new secret gets a new id), so the send path,
 * callback intake and webhook delivery do not pay a query and a decryption per message.
 */
export function cachedSecret(deps: Pick<Services, "db" | "vault" | "caches">, id: string): Promise<string> {
  const plaintexts = deps.caches.space<string>("secrets", { ttlMs: 3_600_000 });
  return plaintexts.through(id, () => deps.vault.read(deps.db, id));
}
