#!/usr/bin/env node
// `npm run build`, and the root's `prepare` (so `npm install` runs it): compiles the packages
// (scripts/packages.mjs) and builds the dashboard (scripts/dashboard.mjs), each only when missing
// or older than its sources; `--force` compiles the packages again regardless.
import { ensureDashboard } from "./dashboard.mjs";
import { ensurePackages } from "./packages.mjs";

// A build that fails fails the install; an install without the tools (no dev dependencies) does not.
const packages = ensurePackages({ force: process.argv.includes("--force") });
const dashboard = ensureDashboard();
process.exit(packages === "failed" || dashboard === "failed" ? 1 : 0);
