import { randomBytes } from "node:crypto";
import type { Db } from "../db/db.js";
import { parseSealed } from "./cipher.js";
import { keyringFromKeys, writeKeyFile } from "./keyring.js";
import type { Vault } from "./vault.js";

export interface RotationReport {
  keyId: string;
  reencrypted: number;
  total: number;
  /** Key ids no longer needed (removed from the key file; drop them from SUBTEXT_MASTER_KEY). */
  retired: string[];
}

/**
 * Re-encrypts every stored secret under a new master key.
 *
 * Key file: a new key is added first (old ones stay readable), every secret is re-encrypted
 * in small transactions, and only then are the old keys removed. A crash at any point leaves
 * every secret readable; running it again finishes the job.
 * SUBTEXT_MASTER_KEY: the operator supplies the new key first (`<new>,<old>`); this
 * re-encrypts everything under it and reports which old keys can be dropped.
 */
export async function rotateMasterKey(db: Db, vault: Vault, batchSize = 100): Promise<RotationReport> {
  const ring = vault.keyring;
  if (ring.source === "file") {
    const fresh = randomBytes(32);
    const all = [fresh, ...ring.keys.values()];
    writeKeyFile(ring.path!, all);
    vault.use(keyringFromKeys(all, "file", ring.path));
  }
  const keyId = vault.currentKeyId;
  const reencrypted = await reencryptAll(db, vault, batchSize);
  const total = (await db.one<{ n: number }>("SELECT count(*) AS n FROM secrets")).n;
  const retired = [...vault.keyring.keys.keys()].filter((id) => id !== keyId);
  if (ring.source === "file") {
    const current = vault.keyring.keys.get(keyId)!;
    writeKeyFile(ring.path!, [current]);
    vault.use(keyringFromKeys([current], "file", ring.path));
  }
  return { keyId, reencrypted, total, retired };
}

/** Re-seals, batch by batch, every secret not under the current key. */
export async function reencryptAll(db: Db, vault: Vault, batchSize = 100): Promise<number> {
  let count = 0;
  for (;;) {
    const current = vault.currentKeyId;
    const n = await db.tx(async (tx) => {
      const { rows } = await tx.query<{ id: string; ciphertext: string }>(
        "SELECT id, ciphertext FROM secrets WHERE key_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE",
        [current, batchSize],
      );
      for (const row of rows) {
        const sealed = vault.seal(vault.open(row.ciphertext, row.id), row.id);
        await tx.query("UPDATE secrets SET ciphertext = $2, key_id = $3, rotated_at = now() WHERE id = $1", [
          row.id,
          sealed,
          parseSealed(sealed).keyId,
        ]);
      }
      return rows.length;
    });
    count += n;
    if (n === 0) return count;
  }
}
