import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/config.js";
import { ensurePrivateDir } from "../kernel/data-dir.js";

export const CONTROL_TOKEN_FILE = "emulator-control-token";

/**
 * The sandbox emulator's control token: SUBTEXT_EMULATOR_CONTROL_TOKEN, else a random one kept
 * in the data dir (0600). Kept rather than made per start because other processes on the same
 * data dir find the running emulator through its control API — `subtext tenants create` beside
 * `subtext start`, split `--role api`/`worker` processes — and the admin's copy stays valid
 * across restarts. To rotate it: stop Subtext, delete the file, start again.
 */
export function emulatorControlToken(config: Pick<Config, "dataDir" | "emulatorControlToken">): string {
  if (config.emulatorControlToken) return config.emulatorControlToken;
  const path = join(config.dataDir, CONTROL_TOKEN_FILE);
  const existing = readToken(path);
  if (existing) return existing;
  ensurePrivateDir(config.dataDir);
  const token = `st_emu_${randomBytes(24).toString("base64url")}`;
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
    return token;
  } catch (err) {
    // Another process on the same data dir wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readToken(path) ?? token;
    throw err;
  }
}

/** The token without creating one: for a command that calls a running emulator (undefined: none yet). */
export function existingEmulatorControlToken(
  config: Pick<Config, "dataDir" | "emulatorControlToken">,
): string | undefined {
  return config.emulatorControlToken ?? readToken(join(config.dataDir, CONTROL_TOKEN_FILE));
}

function readToken(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if (!/^\S{24,}$/.test(text)) {
    throw new Error(`${path} does not hold a control token; delete it and a new one is generated`);
  }
  return text;
}
