import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";
import { CONFORMANCE_DID_NOT_RUN, locateTwilioOpenApi } from "./packages/emulator/test/conformance/oai.js";

// One runner for the whole repository. Server integration tests run twice, once per storage
// engine, so both engines stay first-class (docs/deploy.md). Projects `extends: true` so
// they inherit the timeouts and pool below.
const integration = ["packages/server/test/integration/**/*.test.ts"];

// The conformance suite needs Twilio's OpenAPI documents. Without them (a fresh clone) it is left
// out of the run, said here and in `npm test`'s closing line; when they are required (the setting
// is given, or CI) the suite runs and fails on what is missing.
const oai = locateTwilioOpenApi();
const conformance = oai.missing.length === 0 || oai.required;
// Once per process (vitest loads this file again for each project).
const said = globalThis as { conformanceNotRunSaid?: boolean };
if (!conformance && !said.conformanceNotRunSaid) {
  said.conformanceNotRunSaid = true;
  console.warn(CONFORMANCE_DID_NOT_RUN);
}

// The tests run our packages' TypeScript sources: `subtext-source` is the export condition that
// names them (the packages' exports give everyone else their compiled dist/).
const conditions = ["subtext-source", ...defaultServerConditions];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "emulator",
          include: ["packages/emulator/test/**/*.test.ts"],
          exclude: conformance ? [] : ["packages/emulator/test/conformance/**"],
        },
      },
      {
        extends: true,
        // With the root's scripts' own tests (npm start's, npm install's): fast, no services.
        test: {
          name: "unit",
          include: [
            "packages/server/test/unit/**/*.test.ts",
            "packages/telecom/test/**/*.test.ts",
            "scripts/**/*.test.mjs",
          ],
          exclude: ["scripts/pack.test.mjs"],
        },
      },
      {
        extends: true,
        // npm pack of the emulator and the SDK, installed into an empty project: npm, tsc, minutes.
        test: {
          name: "pack",
          include: ["scripts/pack.test.mjs"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      { extends: true, test: { name: "sdk", include: ["packages/sdk/test/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "server-pglite",
          include: integration,
          env: { SUBTEXT_TEST_ENGINE: "pglite" },
        },
      },
      {
        extends: true,
        test: {
          name: "server-postgres",
          include: integration,
          env: { SUBTEXT_TEST_ENGINE: "postgres" },
        },
      },
      { extends: true, test: { name: "e2e", include: ["e2e/**/*.test.ts"] } },
      // The benches' measuring instrument (fast); the benches themselves are not tests.
      { extends: true, test: { name: "bench", include: ["bench/test/**/*.test.ts"] } },
    ],
  },
});
