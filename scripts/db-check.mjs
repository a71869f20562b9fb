#!/usr/bin/env node
// Migration drift check (`npm run db:check`): applies every migration in prisma/migrations to a
// fresh, temporary SQLite database with `prisma migrate deploy` (the path production takes), then
// compares that database with prisma/schema.prisma. It fails when the schema changed without a
// migration, or when the migrations do not apply cleanly.
//
// It uses only the standard Prisma CLI, so it works unchanged with the native schema engine. With
// the wasm stand-in it also catches a generated migration that does not produce the schema.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "db-check-"));
const env = { ...process.env, DATABASE_URL: `file:${path.join(tmpDir, "check.db")}`, CHECKPOINT_DISABLE: "1" };

function prisma(...args) {
  const run = spawnSync(process.execPath, [prismaCli, ...args], { cwd: projectRoot, env, encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`.replace(/^Loaded Prisma config from .*\n/m, "").trim();
  return { status: run.status, output };
}

function fail(message, output) {
  if (output) console.error(output + "\n");
  console.error(`db:check FAILED: ${message}`);
  process.exitCode = 1;
}

try {
  const deploy = prisma("migrate", "deploy");
  if (deploy.status !== 0) {
    fail("the migrations in prisma/migrations do not apply to an empty database.", deploy.output);
  } else {
    const diff = prisma("migrate", "diff", "--from-config-datasource", "--to-schema", "prisma/schema.prisma", "--exit-code");
    if (diff.status === 2) {
      fail(
        "prisma/schema.prisma does not match the database that prisma/migrations produce.\n" +
          "The changes listed above are what a new migration has to do; create it with\n" +
          "  npx prisma migrate dev --name <what-changed>",
        diff.output,
      );
    } else if (diff.status !== 0) {
      fail("prisma migrate diff could not compare the migrations with the schema.", diff.output);
    } else {
      console.log("db:check OK: prisma/migrations produce exactly prisma/schema.prisma.");
    }
  }
} finally {
  fs.rmSync(tmpDir, { recursive: true, force: true });
}
