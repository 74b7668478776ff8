import { defineConfig } from "vitest/config";

// One runner for the whole repository. Server integration tests run twice, once per storage
// engine, so both engines stay first-class (docs/deploy.md). Projects `extends: true` so
// they inherit the timeouts and pool below.
const integration = ["packages/server/test/integration/**/*.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "emulator", include: ["packages/emulator/test/**/*.test.ts"] } },
      {
        extends: true,
        // With the root's scripts' own tests (npm start's, npm install's): fast, no services.
        test: { name: "unit", include: ["packages/server/test/unit/**/*.test.ts", "scripts/**/*.test.mjs"] },
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
