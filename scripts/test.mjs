#!/usr/bin/env node
// `npm test`: the whole suite, on SQLite and on PostgreSQL. Installs what it needs where it can
// (scripts/ensure-test-tools.mjs), builds the app unless its build is current (scripts/build.mjs),
// starts a throwaway PostgreSQL server unless TEST_POSTGRES_URL names one, then runs Vitest (unit
// and in-process tests, the production server's tests and the cluster tests; see vitest.config.ts)
// and Playwright once per database.

import { spawnSync } from "node:child_process";
import { buildIsCurrent } from "./build.mjs";
import { ensureTestTools } from "./ensure-test-tools.mjs";
import { startPostgres } from "./postgres-sandbox.mjs";

function run(command, args, env = process.env) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const { status } = spawnSync(command, args, { stdio: "inherit", env });
  return status === 0;
}

ensureTestTools();
if (buildIsCurrent())
  console.log("\nThe build in .next is newer than every file it is built from: not building again.");
else if (!run("npm", ["run", "--silent", "build"])) process.exit(1);

const sandbox = process.env.TEST_POSTGRES_URL ? undefined : await startPostgres();
const env = { ...process.env, TEST_POSTGRES_URL: process.env.TEST_POSTGRES_URL ?? sandbox.url };
try {
  const passed = [
    run("npx", ["vitest", "run"], env),
    run("npx", ["playwright", "test"], { ...env, TEST_DATABASE: "sqlite" }),
    run("npx", ["playwright", "test"], { ...env, TEST_DATABASE: "postgres" }),
  ];
  process.exitCode = passed.every(Boolean) ? 0 : 1;
} finally {
  await sandbox?.stop();
}
