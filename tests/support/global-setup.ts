// Once per test run: a migrated template database that every test file copies, so each file gets
// a fresh database without paying for migrations again.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default function setup(project: TestProject) {
  if (!existsSync(".next/BUILD_ID")) {
    throw new Error("No production build found: run `npm run build` first (npm test does).");
  }
  const dir = mkdtempSync(join(tmpdir(), "logout-tests-"));
  const templateDatabase = join(dir, "template.db");
  try {
    execFileSync("npx", ["prisma", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: `file:${templateDatabase}` },
      stdio: "pipe",
      encoding: "utf8",
    });
  } catch (error) {
    throw new Error(`prisma migrate deploy failed:\n${(error as { stderr?: string }).stderr ?? error}`);
  }
  project.provide("templateDatabase", templateDatabase);
  return () => rmSync(dir, { recursive: true, force: true });
}
