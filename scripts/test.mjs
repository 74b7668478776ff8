#!/usr/bin/env node
// `npm test`: the whole suite (emulator, unit, server on PGlite and on PostgreSQL).
// Extra arguments go to vitest, e.g. `npm test -- --project unit`.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

mkdirSync("test-results", { recursive: true });
const args = [
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  "--outputFile.json=test-results/vitest.json",
  ...process.argv.slice(2),
];
const run = spawnSync("npx", args, { stdio: "inherit" });
try {
  const report = JSON.parse(readFileSync("test-results/vitest.json", "utf8"));
  // The plain closing line CI reads.
  console.log(
    `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
  );
  // Without Twilio's documents the emulator went unchecked against them (vitest.config.ts left
  // the conformance suite out): worth more than a count.
  const files = report.testResults.map((file) => file.name);
  const emulatorRan = files.some((f) => f.includes("packages/emulator/test/"));
  if (emulatorRan && !files.some((f) => f.includes("packages/emulator/test/conformance/")))
    console.log("conformance suite did not run: set SUBTEXT_TWILIO_OAI_DIR or run npm run fetch:twilio-oai");
} catch {
  console.log("tests: 0 passed, 1 failed");
}
process.exit(run.status ?? 1);
