// Once per test project: a migrated template database that every test file copies, so each file
// gets a fresh database without paying for migrations again. SQLite: a template file. PostgreSQL
// (projects with TEST_DATABASE=postgres): a template database on the server TEST_POSTGRES_URL names,
// or on a throwaway server started here when it is unset.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { createDatabase, dropDatabase, startPostgres } from "../../scripts/postgres-sandbox.mjs";
import { prisma } from "../../scripts/serve.mjs";

export type Template = { kind: "sqlite"; file: string } | { kind: "postgres"; serverUrl: string; name: string };

declare module "vitest" {
  export interface ProvidedContext {
    template: Template;
  }
}

export default async function setup(project: TestProject) {
  if (project.config.env?.TEST_DATABASE !== "postgres") {
    const dir = mkdtempSync(join(tmpdir(), "logout-tests-"));
    const file = join(dir, "template.db");
    prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: `file:${file}` });
    project.provide("template", { kind: "sqlite", file });
    return () => rmSync(dir, { recursive: true, force: true });
  }

  const sandbox = process.env.TEST_POSTGRES_URL ? undefined : await startPostgres();
  const serverUrl = process.env.TEST_POSTGRES_URL ?? sandbox!.url;
  const name = `logout_template_${process.pid}_${Date.now()}`;
  prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: await createDatabase(serverUrl, name) });
  project.provide("template", { kind: "postgres", serverUrl, name });
  return async () => {
    await dropDatabase(serverUrl, name);
    await sandbox?.stop();
  };
}
