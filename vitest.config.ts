import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const SERVER_TESTS = ["tests/server/**/*.test.ts", "tests/resilience/**/*.test.ts"];
// Checked once, on SQLite, since no database behaviour is involved: refusing a bad configuration at
// start-up, what server.mjs and Next's routing add to every answer, and the operators' commands
// (shells over domain code the other tests run on both databases).
const SERVER_TESTS_ON_SQLITE_ONLY = [
  "tests/server/startup.test.ts",
  "tests/server/server.test.ts",
  "tests/server/ory-ui.test.ts",
  "tests/server/operator-cli.test.ts",
];

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${path(".")}/` },
      // The guard only means something inside Next's server bundles.
      { find: /^server-only$/, replacement: path("./tests/support/empty-module.ts") },
      // In-process route handlers get the current request from the test app (tests/support/app.ts).
      { find: /^next\/headers$/, replacement: path("./tests/support/next-headers.ts") },
    ],
  },
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/matchers.ts"],
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The same files run on each database: TEST_DATABASE picks the template every test file copies.
    projects: [
      {
        extends: true,
        // Pure functions and every rule of the HTTP contract, in-process: no build, seconds in all.
        test: { name: "fast", include: ["tests/unit/**/*.test.ts", "tests/routes/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "fast-postgres", include: ["tests/routes/**/*.test.ts"], env: { TEST_DATABASE: "postgres" } },
      },
      {
        extends: true,
        // The production server: each file starts its own, so this needs `npm run build` first.
        test: { name: "server", include: SERVER_TESTS },
      },
      {
        extends: true,
        test: {
          name: "server-postgres",
          include: SERVER_TESTS,
          exclude: SERVER_TESTS_ON_SQLITE_ONLY,
          env: { TEST_DATABASE: "postgres" },
        },
      },
      {
        extends: true,
        // `npm run dev` against the production server; once, since Next allows one dev server per checkout.
        test: { name: "dev", include: ["tests/dev/**/*.test.ts"] },
      },
      {
        extends: true,
        // Several instances behind nginx on one PostgreSQL (scripts/cluster.mjs); needs the build and nginx.
        test: { name: "cluster", include: ["tests/cluster/**/*.test.ts"], env: { TEST_DATABASE: "postgres" } },
      },
    ],
  },
});
