import { defineConfig } from "vitest/config";

// One runner for the whole repository. Server integration tests run twice, once per storage
// engine, so both engines stay first-class (see ARCHITECTURE §2).
const integration = ["packages/server/test/integration/**/*.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { test: { name: "emulator", include: ["packages/emulator/test/**/*.test.ts"] } },
      { test: { name: "unit", include: ["packages/server/test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "server-pglite",
          include: integration,
          env: { SUBTEXT_TEST_ENGINE: "pglite" },
        },
      },
      {
        test: {
          name: "server-postgres",
          include: integration,
          env: { SUBTEXT_TEST_ENGINE: "postgres" },
        },
      },
    ],
  },
});
