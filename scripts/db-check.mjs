#!/usr/bin/env node
// Database check (`npm run db:check`), for both databases the app runs on:
//   1. prisma/postgres/schema.prisma is what `npm run db:schemas` makes of prisma/schema.prisma.
//   2. SQLite: prisma/migrations, applied with `prisma migrate deploy` (the path production takes) to a
//      fresh temporary database, produce exactly prisma/schema.prisma.
//   3. PostgreSQL: the same for prisma/postgres/migrations, on a fresh temporary database on the server
//      TEST_POSTGRES_URL names (any database on it; the check creates and drops its own), or else on a
//      throwaway server it starts (scripts/postgres-sandbox.mjs).
//   4. PostgreSQL: two `prisma migrate deploy` started at the same moment against one new database (two
//      app instances starting together) both succeed and apply each migration exactly once.
// It fails when the schema changed without a migration, when migrations do not apply cleanly, or when
// the Postgres schema was not regenerated.
//
// It uses only the standard Prisma CLI, so it works unchanged with the native schema engine. With
// the wasm stand-in it also catches a generated migration that does not produce the schema.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { POSTGRES_SCHEMA, SOURCE_SCHEMA, postgresSchema } from "./db-schemas.mjs";
import { createDatabase, databaseUrl, dropDatabase, startPostgres } from "./postgres-sandbox.mjs";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const SIMULTANEOUS_DEPLOY_ROUNDS = 2;

class CheckFailed extends Error {
  constructor(message, output) {
    super(output ? `${output}\n\n${message}` : message);
  }
}

function prisma(databaseUrl, ...args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1" };
    const child = spawn(process.execPath, [prismaCli, ...args], { cwd: projectRoot, env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ status, output: output.replace(/^Loaded Prisma config from .*\n/m, "").trim() });
    });
  });
}

function checkGeneratedSchema() {
  const committed = fs.readFileSync(path.join(projectRoot, POSTGRES_SCHEMA), "utf8");
  if (committed !== postgresSchema()) {
    throw new CheckFailed(`${POSTGRES_SCHEMA} is out of date with ${SOURCE_SCHEMA}: run npm run db:schemas.`);
  }
  return `${POSTGRES_SCHEMA} is up to date with ${SOURCE_SCHEMA}.`;
}

// Applies the migrations the config picks for `url` (SQLite or Postgres) and diffs the result with the schema.
async function checkMigrations(url, schema, migrations) {
  const deploy = await prisma(url, "migrate", "deploy");
  if (deploy.status !== 0) {
    throw new CheckFailed(`the migrations in ${migrations} do not apply to an empty database.`, deploy.output);
  }
  const diff = await prisma(url, "migrate", "diff", "--from-config-datasource", "--to-schema", schema, "--exit-code");
  if (diff.status === 2) {
    throw new CheckFailed(
      `${schema} does not match the database that ${migrations} produce.\n` +
        "The changes listed above are what a new migration has to do; create it with\n" +
        `  ${url.startsWith("file:") ? "" : "DATABASE_URL=postgresql://… "}` +
        "npx prisma migrate dev --name <what-changed>",
      diff.output,
    );
  }
  if (diff.status !== 0) {
    throw new CheckFailed("prisma migrate diff could not compare the migrations with the schema.", diff.output);
  }
  return `${migrations} produce exactly ${schema}.`;
}

async function checkSqlite() {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "db-check-"));
  try {
    return await checkMigrations(`file:${path.join(tmpDir, "check.db")}`, SOURCE_SCHEMA, "prisma/migrations");
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

async function checkPostgres(serverUrl) {
  const name = `db_check_${crypto.randomBytes(4).toString("hex")}`;
  try {
    const url = await createDatabase(serverUrl, name);
    return await checkMigrations(url, POSTGRES_SCHEMA, "prisma/postgres/migrations");
  } finally {
    await dropDatabase(serverUrl, name);
  }
}

// The first round starts against a database that does not exist yet (both CLIs create it); the others
// against an empty one. Prisma serialises migrations with an advisory lock; this proves it holds.
async function checkSimultaneousDeploys(serverUrl) {
  const migrationNames = fs
    .readdirSync(path.join(projectRoot, "prisma/postgres/migrations"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (let round = 1; round <= SIMULTANEOUS_DEPLOY_ROUNDS; round++) {
    const name = `db_check_race_${crypto.randomBytes(4).toString("hex")}`;
    try {
      const url = round === 1 ? databaseUrl(serverUrl, name) : await createDatabase(serverUrl, name);
      const runs = await Promise.all([prisma(url, "migrate", "deploy"), prisma(url, "migrate", "deploy")]);
      const failed = runs.find((run) => run.status !== 0);
      if (failed) throw new CheckFailed(`round ${round}: one of two simultaneous deploys failed.`, failed.output);
      const applied = await appliedMigrations(url);
      if (JSON.stringify(applied) !== JSON.stringify(migrationNames)) {
        throw new CheckFailed(
          `round ${round}: after two simultaneous migrate deploy, _prisma_migrations holds ` +
            `[${applied.join(", ")}], expected each of [${migrationNames.join(", ")}] exactly once.`,
        );
      }
    } finally {
      await dropDatabase(serverUrl, name);
    }
  }
  return `two simultaneous migrate deploy apply each migration once (${SIMULTANEOUS_DEPLOY_ROUNDS} rounds).`;
}

async function appliedMigrations(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL " +
        "ORDER BY migration_name",
    );
    return rows.map((row) => row.migration_name);
  } finally {
    await client.end();
  }
}

async function run(label, check) {
  const started = Date.now();
  try {
    console.log(`db:check ${label} OK: ${await check()} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
    console.error(`${e.message}\ndb:check ${label} FAILED`);
    process.exitCode = 1;
  }
}

async function checkPostgresSections() {
  const server = process.env.TEST_POSTGRES_URL ? { url: process.env.TEST_POSTGRES_URL } : await startPostgres();
  try {
    await run("postgres", () => checkPostgres(server.url));
    await run("postgres-simultaneous-deploy", () => checkSimultaneousDeploys(server.url));
  } finally {
    await server.stop?.();
  }
}

await run("schemas", checkGeneratedSchema);
// Independent databases: check them side by side.
await Promise.all([run("sqlite", checkSqlite), checkPostgresSections()]);
if (process.exitCode) console.error("db:check FAILED");
