#!/usr/bin/env node
// `subtext-emulator`: runs the compiled emulator (dist/). In a checkout whose TypeScript changed
// since the build, or was never built, it runs the sources through tsx instead, a development
// fallback (tsx is a dev dependency of the repository). An installed package has no sources: dist.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));

/** The newest modification time under dir: of its files and of its folders (a removal). */
function newest(dir) {
  let time = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

// Current: always without sources, else newer than all of them (a build gives dist its own time last).
const dist = join(pkg, "dist");
const built =
  !existsSync(join(pkg, "src")) || (existsSync(dist) && statSync(dist).mtimeMs >= newest(join(pkg, "src")));
const tsx = built ? null : await import("tsx/esm/api").catch(() => null);
let cli;
if (tsx) {
  tsx.register();
  cli = await import("../src/cli.ts");
} else {
  cli = await import("../dist/cli.js").catch((err) => {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !err.message.includes(join(pkg, "dist"))) throw err;
    console.error(
      "The emulator is not compiled, and tsx, which runs its sources, is not installed: run `npm run build`.",
    );
    process.exit(1);
  });
}
await cli.main(process.argv.slice(2));
