#!/usr/bin/env node
// `npm start` = `subtext start` on the embedded defaults: PGlite under ./data, sandbox mode with
// the Twilio emulator. Extra arguments go to `subtext start` (e.g. `npm start -- --role api`).
// On a fresh clone it runs `npm install` first, so `npm start` alone also works, and it compiles
// the packages and builds the dashboard when their builds are missing or older than their sources
// (a check of milliseconds otherwise), so the server runs from its compiled JavaScript.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureDashboard } from "./dashboard.mjs";
import { ensurePackages } from "./packages.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../packages/server/bin/subtext.mjs", import.meta.url));

if (!existsSync(new URL("../node_modules/fastify/package.json", import.meta.url))) {
  console.log("Dependencies are missing: running `npm install` first…");
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
// Neither is fatal. A failed compilation (a type error, shown) leaves the sources newer than dist:
// bin/subtext.mjs then runs them through tsx. Without the dashboard the API still serves, and `/`
// says the dashboard is not built.
if (ensurePackages() === "failed")
  console.warn("Starting from the TypeScript sources (through tsx) instead.");
ensureDashboard();

const child = spawn(process.execPath, [bin, "start", ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
