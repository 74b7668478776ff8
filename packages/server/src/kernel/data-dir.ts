import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The data directory holds the embedded database (message bodies, the admin token's hash),
 * the master key file, the emulator's state (every subaccount's auth token) and its control
 * token: nothing in it is for other local users.
 *
 * The directory itself is created 0700, which is the real barrier: another user cannot reach
 * a file under it whatever the file's own mode. The files are made owner-only too (defence in
 * depth, and for copies and backups that keep modes). A process umask cannot do that job:
 * PGlite's Emscripten file system chmods every file it creates to the mode PostgreSQL asked
 * for inside WebAssembly — 0666 for everything initdb writes, 0644 for pg_internal.init — so
 * those files are fixed by walking the tree after the database opens (and at close and at
 * every start, for anything written later or by an older version).
 */
export function ensurePrivateDir(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return restrictTree(dir);
}

/**
 * Strips group and other permissions from `root` and everything under it; returns the paths
 * it changed. Symbolic links are neither followed nor changed (chmod would follow them out of
 * the tree). Entries that vanish meanwhile (PostgreSQL's temporary files) are skipped.
 */
export function restrictTree(root: string): string[] {
  const changed: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    let mode: number;
    let isDir: boolean;
    try {
      const st = lstatSync(path);
      if (st.isSymbolicLink()) continue;
      mode = st.mode & 0o7777;
      isDir = st.isDirectory();
      if (mode & 0o077) {
        chmodSync(path, mode & 0o700);
        changed.push(path);
      }
      if (isDir) for (const name of readdirSync(path)) stack.push(join(path, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue;
      throw new Error(
        `${path}: cannot make it private to this user (${code}); everything under the data dir must belong to the user running Subtext`,
      );
    }
  }
  return changed;
}
