#!/usr/bin/env node
// The compiled packages: `tsc` turns the TypeScript of packages/telecom, packages/emulator,
// packages/sdk and packages/server into JavaScript with type declarations in their dist/, which
// their package.json `exports` and bins name, so they run on plain Node and install anywhere
// (`npm pack`). A package is built only when its dist is missing or older than its sources:
// `npm install` runs this file (through scripts/build.mjs, the root's `prepare`) and `npm start`
// calls `ensurePackages` before starting. Node built-ins only.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { newestSource } from "./dashboard.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * In build order. `needs`: packages whose declarations the compilation reads (built first when
 * stale). `assets`: the files under src the compiled code reads at run time, copied to the same
 * place under dist.
 */
export const PACKAGES = [
  { name: "@subtext/telecom", dir: join(root, "packages/telecom"), needs: [] },
  { name: "subtext-emulator", dir: join(root, "packages/emulator"), needs: [] },
  { name: "@subtext/sdk", dir: join(root, "packages/sdk"), needs: [] },
  {
    name: "@subtext/server",
    dir: join(root, "packages/server"),
    needs: ["@subtext/telecom", "subtext-emulator"],
    assets: /\/migrations\/[^/]+\.sql$/,
  },
];

/**
 * Why a package's dist must be built, or null when it is newer than every source: its src, its
 * tsconfig.build.json and the settings that one extends.
 */
export function packageStaleness(dir, baseConfig = join(root, "tsconfig.base.json")) {
  const built = join(dir, "dist");
  if (!existsSync(built)) return "it is not built yet";
  // The build sets dist's own time last, so it is the build's end (the bins compare the same).
  const src = join(dir, "src");
  const sources = Math.max(
    statSync(src).mtimeMs, // a file removed from src itself
    newestSource(src),
    statSync(join(dir, "tsconfig.build.json")).mtimeMs,
    statSync(baseConfig).mtimeMs,
  );
  return sources > statSync(built).mtimeMs ? "its sources changed since it was built" : null;
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function tsc() {
  try {
    return createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
  } catch {
    return null;
  }
}

/**
 * Compiles one package into a new directory that then replaces dist whole: no output of a deleted
 * source survives, and a process starting meanwhile (a test, `npx subtext`) never sees half a build.
 */
function build(pkg, compiler) {
  const dist = join(pkg.dir, "dist");
  const next = join(pkg.dir, `.dist-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  const args = [compiler, "-p", join(pkg.dir, "tsconfig.build.json"), "--outDir", next];
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (run.status !== 0) {
    rmSync(next, { recursive: true, force: true });
    return false;
  }
  if (pkg.assets) {
    const src = join(pkg.dir, "src");
    for (const file of files(src).filter((f) => pkg.assets.test(f.split("\\").join("/")))) {
      const to = join(next, relative(src, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
    }
  }
  rmSync(dist, { recursive: true, force: true });
  renameSync(next, dist);
  const now = new Date();
  utimesSync(dist, now, now);
  return true;
}

/**
 * Builds the packages (`only` those named, with what they need) whose dist is stale, or all of
 * the named ones with `force`: "fresh" (nothing to do), "built", "no-typescript" (installed
 * without dev dependencies) or "failed".
 */
export function ensurePackages({ force = false, only = [] } = {}) {
  const named = only.length > 0 ? only : PACKAGES.map((pkg) => pkg.name);
  const wanted = new Set(named.flatMap((name) => [name, ...PACKAGES.find((p) => p.name === name).needs]));
  const stale = PACKAGES.filter((pkg) => wanted.has(pkg.name))
    .map((pkg) => ({ pkg, why: force && named.includes(pkg.name) ? "asked to" : packageStaleness(pkg.dir) }))
    .filter((s) => s.why);
  if (stale.length === 0) return "fresh";
  const compiler = tsc();
  if (!compiler) {
    console.warn("The packages need a build, but TypeScript, which compiles them, is not installed.");
    return "no-typescript";
  }
  for (const { pkg, why } of stale) {
    console.log(`Compiling ${pkg.name} (${why})…`);
    if (!build(pkg, compiler)) {
      console.error(`Compiling ${pkg.name} failed (above); \`npm run build\` tries again.`);
      return "failed";
    }
  }
  console.log(`Compiled ${stale.map((s) => s.pkg.name).join(", ")} (dist/).`);
  return "built";
}

// `node scripts/packages.mjs [--force] [name…]`: the named packages (all without names).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const only = args.filter((a) => a !== "--force");
  const unknown = only.filter((name) => !PACKAGES.some((pkg) => pkg.name === name));
  if (unknown.length > 0) {
    console.error(
      `Not a compiled package: ${unknown.join(", ")} (${PACKAGES.map((p) => p.name).join(", ")})`,
    );
    process.exit(2);
  }
  process.exit(ensurePackages({ force: args.includes("--force"), only }) === "failed" ? 1 : 0);
}
