#!/usr/bin/env node
// The dashboard's build (packages/web/dist), made only when it is missing or older than its
// sources, so that `npm install && npm start` serves it: `npm install` runs it (scripts/build.mjs,
// the root's `prepare` script) and `npm start` calls `ensureDashboard` before starting. Node
// built-ins only.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const WEB = join(root, "packages/web");

/** The sources of the workspace packages the dashboard bundles (`@subtext/telecom`: packages/telecom/src). */
function bundledPackages(web) {
  const manifest = join(web, "package.json");
  if (!existsSync(manifest)) return [];
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, "utf8"));
  return Object.keys(dependencies)
    .filter((name) => name.startsWith("@subtext/"))
    .map((name) => join(dirname(web), name.slice("@subtext/".length), "src"))
    .filter((dir) => existsSync(dir));
}

/**
 * The newest modification time under dir, skipping dist and node_modules: of its files, and of
 * its folders, whose times change when a file in them is added, removed or renamed.
 */
export function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    const own = statSync(path).mtimeMs;
    const time = entry.isDirectory() ? Math.max(own, newestSource(path)) : own;
    if (time > newest) newest = time;
  }
  return newest;
}

/** Why the dashboard in web/dist must be built, or null when its build is newer than every source. */
export function dashboardStaleness(web = WEB) {
  const index = join(web, "dist", "index.html");
  if (!existsSync(index)) return "it is not built yet";
  // A build rewrites index.html, so its time is the build's; a checkout or an edit of any
  // source afterwards makes that source newer.
  const newest = Math.max(newestSource(web), ...bundledPackages(web).map(newestSource));
  return newest > statSync(index).mtimeMs ? "its sources changed since it was built" : null;
}

function viteInstalled() {
  try {
    createRequire(join(WEB, "package.json")).resolve("vite/package.json");
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the dashboard when it is stale: "fresh" (nothing to do), "built", "no-vite" (installed
 * without dev dependencies) or "failed". Whatever the outcome the server starts; without a build
 * it says at `/` that the dashboard is not built.
 */
export function ensureDashboard() {
  const why = dashboardStaleness();
  if (!why) return "fresh";
  if (!viteInstalled()) {
    console.warn(`The dashboard needs a build (${why}), but Vite, which builds it, is not installed.`);
    return "no-vite";
  }
  console.log(`Building the dashboard (${why})…`);
  const args = ["run", "build", "--silent", "-w", "@subtext/web", "--", "--logLevel", "warn"];
  const build = spawnSync("npm", args, { cwd: root, stdio: "inherit" });
  if (build.status === 0) {
    console.log("Built the dashboard into packages/web/dist.");
    return "built";
  }
  console.error("The dashboard's build failed (above); `npm run build -w @subtext/web` tries again.");
  return "failed";
}

// Alone: a build that fails exits 1; an install without Vite does not.
if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(ensureDashboard() === "failed" ? 1 : 0);
