#!/usr/bin/env node
// `npm start` = `subtext start` on the embedded defaults: PGlite under ./data, sandbox mode with
// the Twilio emulator. Extra arguments go to `subtext start` (e.g. `npm start -- --role api`).
// On a fresh clone it runs `npm install` first, so `npm start` alone also works, and it builds the
// dashboard when its build is missing or older than its sources (a check of milliseconds otherwise).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureDashboard } from "./dashboard.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../packages/server/bin/subtext.mjs", import.meta.url));

if (!existsSync(new URL("../node_modules/tsx/package.json", import.meta.url))) {
  console.log("Dependencies are missing: running `npm install` first…");
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
// Not fatal: without the dashboard the API still serves, and `/` says the dashboard is not built.
ensureDashboard();

const child = spawn(process.execPath, [bin, "start", ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
