#!/usr/bin/env node
// `subtext`: runs the compiled server (dist/, made by `npm install`, `npm start`, `npm run build`).
// In a checkout whose TypeScript changed since that build, or was never built, it runs the sources
// through tsx instead, a development fallback (tsx is a dev dependency), so that an edit, and the
// tests that spawn this file, never meet stale code. An installed package has no sources: dist.
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire, register } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const server = fileURLToPath(new URL("..", import.meta.url));
// The server and the packages its compiled code imports: all must be current.
const require = createRequire(import.meta.url);
const packages = [
  server,
  ...["subtext-emulator", "@subtext/telecom"].map((name) => dirname(require.resolve(`${name}/package.json`))),
];

/** The newest modification time under dir: of its files and of its folders (a removal). */
function newest(dir) {
  let time = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/**
 * Whether a package's dist is current: always without sources, else newer than all of them (a
 * build gives dist its own time last: scripts/packages.mjs).
 */
function built(pkg) {
  if (!existsSync(join(pkg, "src"))) return true;
  const dist = join(pkg, "dist");
  return existsSync(dist) && statSync(dist).mtimeMs >= newest(join(pkg, "src"));
}

const tsx = packages.every(built) ? null : await import("tsx/esm/api").catch(() => null);
let cli;
if (tsx) {
  tsx.register();
  // Our packages' sources, not their dist, for `subtext-emulator` and `@subtext/telecom/…` (the
  // condition in their exports).
  const hook = `export const resolve = (s, c, next) =>
    next(s, { ...c, conditions: [...c.conditions, "subtext-source"] });`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  cli = await import("../src/cli/main.ts");
} else {
  cli = await import("../dist/cli/main.js").catch((err) => {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !err.message.includes(join(server, "dist"))) throw err;
    console.error(
      "Subtext is not compiled, and tsx, which runs its sources, is not installed: run `npm run build`.",
    );
    process.exit(1);
  });
}
await cli.main(process.argv.slice(2));
