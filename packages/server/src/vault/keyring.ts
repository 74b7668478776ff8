import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keyIdOf } from "./cipher.js";

/**
 * The master keys. The first encrypts; all decrypt. They come from SUBTEXT_MASTER_KEY
 * (comma-separated while rotating) or, when that is unset, from a key file in the data dir
 * created on first start with mode 0600.
 */
export interface Keyring {
  readonly current: { id: string; key: Buffer };
  readonly keys: ReadonlyMap<string, Buffer>;
  /** "env" keys are managed by the operator; "file" keys by `rotate-master-key`. */
  readonly source: "env" | "file";
  readonly path?: string;
}

interface KeyFile {
  version: 1;
  keys: { id: string; key: string; created_at: string }[];
}

export const KEY_FILE = "master-keys.json";

export function keyringFromKeys(
  keys: readonly Buffer[],
  source: "env" | "file" = "env",
  path?: string,
): Keyring {
  if (keys.length === 0) throw new Error("a keyring needs at least one key");
  const map = new Map(keys.map((k) => [keyIdOf(k), k] as const));
  return { current: { id: keyIdOf(keys[0]), key: keys[0] }, keys: map, source, path };
}

/** Loads the keyring; creates the key file (0600) on first start when no env key is given. */
export function loadKeyring(opts: { masterKeys: readonly Buffer[]; dataDir: string }): Keyring {
  if (opts.masterKeys.length > 0) return keyringFromKeys(opts.masterKeys, "env");
  const path = join(opts.dataDir, KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(opts.dataDir, { recursive: true });
    writeKeyFile(path, [randomBytes(32)], "wx");
  }
  return readKeyFile(path);
}

export function readKeyFile(path: string): Keyring {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`${path} is readable by other users (mode ${mode.toString(8)}); fix: chmod 600 ${path}`);
  }
  const file = JSON.parse(readFileSync(path, "utf8")) as KeyFile;
  const keys = file.keys.map((k) => Buffer.from(k.key, "base64"));
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) throw new Error(`${path}: malformed key file`);
  return keyringFromKeys(keys, "file", path);
}

/** Atomically replaces the key file (write 0600 temp file, rename). */
export function writeKeyFile(path: string, keys: readonly Buffer[], flag: "w" | "wx" = "w"): void {
  const file: KeyFile = {
    version: 1,
    keys: keys.map((k) => ({
      id: keyIdOf(k),
      key: k.toString("base64"),
      created_at: new Date().toISOString(),
    })),
  };
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (flag === "wx") {
    writeFileSync(path, text, { mode: 0o600, flag: "wx" });
  } else {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  }
  chmodSync(path, 0o600);
}
