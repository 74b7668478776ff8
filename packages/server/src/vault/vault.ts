import { statSync } from "node:fs";
import type { Queryable } from "../db/db.js";
import { newId } from "../db/ids.js";
import { open, parseSealed, seal } from "./cipher.js";
import { type Keyring, readKeyFile } from "./keyring.js";

/**
 * The credential vault: every secret the platform must read back lives in `secrets`,
 * sealed with the current master key and bound (AAD) to its row id. Callers keep only the
 * secret's id (`sec_…`).
 */
export class Vault {
  private fileStamp?: string;

  constructor(private ring: Keyring) {
    this.fileStamp = this.stamp();
  }

  get keyring(): Keyring {
    return this.ring;
  }

  get currentKeyId(): string {
    this.refresh();
    return this.ring.current.id;
  }

  /** Stores a new secret; returns its id. */
  async store(q: Queryable, purpose: string, plaintext: string): Promise<string> {
    const id = newId("sec");
    const ciphertext = this.seal(plaintext, id);
    await q.query("INSERT INTO secrets (id, purpose, key_id, ciphertext) VALUES ($1, $2, $3, $4)", [
      id,
      purpose,
      parseSealed(ciphertext).keyId,
      ciphertext,
    ]);
    return id;
  }

  /** Deletes a secret nobody refers to any more (a replaced document); gone already is fine. */
  async forget(q: Queryable, id: string): Promise<void> {
    await q.query("DELETE FROM secrets WHERE id = $1", [id]);
  }

  async read(q: Queryable, id: string): Promise<string> {
    const row = await q.maybeOne<{ ciphertext: string }>("SELECT ciphertext FROM secrets WHERE id = $1", [
      id,
    ]);
    if (!row) throw new Error(`secret ${id} does not exist`);
    return this.open(row.ciphertext, id);
  }

  seal(plaintext: string, aad: string): string {
    this.refresh();
    return seal(this.ring.current.key, plaintext, aad);
  }

  open(sealed: string, aad: string): string {
    const { keyId } = parseSealed(sealed);
    let key = this.ring.keys.get(keyId);
    if (!key) {
      this.refresh(true);
      key = this.ring.keys.get(keyId);
    }
    if (!key) {
      throw new Error(
        `a secret is encrypted with master key ${keyId}, which is not in the keyring (keys: ${[...this.ring.keys.keys()].join(", ")}); ` +
          "restore the old key in SUBTEXT_MASTER_KEY (new,old) or the key file",
      );
    }
    return open(key, sealed, aad);
  }

  /** Replaces the keyring (after rotation in this process). */
  use(ring: Keyring): void {
    this.ring = ring;
    this.fileStamp = this.stamp();
  }

  /**
   * A key file can be rotated by `subtext rotate-master-key` while this process runs: pick
   * up the new file before sealing (so nothing new is written under a retiring key) and
   * when a ciphertext names a key we do not know.
   */
  private refresh(force = false): void {
    if (this.ring.source !== "file" || !this.ring.path) return;
    const stamp = this.stamp();
    if (force || stamp !== this.fileStamp) {
      this.ring = readKeyFile(this.ring.path);
      this.fileStamp = stamp;
    }
  }

  private stamp(): string | undefined {
    if (this.ring.source !== "file" || !this.ring.path) return undefined;
    try {
      const s = statSync(this.ring.path);
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return undefined;
    }
  }
}
