// Once per test run: a migrated template database that every test file copies, so each file gets
// a fresh database without paying for migrations again.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { prisma } from "../../scripts/serve.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "logout-tests-"));
  const templateDatabase = join(dir, "template.db");
  prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: `file:${templateDatabase}` });
  project.provide("templateDatabase", templateDatabase);
  return () => rmSync(dir, { recursive: true, force: true });
}
