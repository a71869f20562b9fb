// A fresh database per test file, copied from the template the global setup migrated once.

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";

export type TestDatabase = {
  url: string;
  /** Changes whenever anything was written to the database, and only then. */
  fingerprint: () => Promise<string>;
  drop: () => Promise<void>;
};

export async function freshDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "logout-app-"));
  const file = join(dir, "app.db");
  copyFileSync(inject("templateDatabase"), file);
  return {
    url: `file:${file}`,
    // The database file and its write-ahead log: any write changes one of them.
    fingerprint: async () => {
      const hash = createHash("sha256");
      for (const suffix of ["", "-wal", "-shm"]) {
        hash.update(existsSync(file + suffix) ? readFileSync(file + suffix) : Buffer.alloc(0));
      }
      return hash.digest("hex");
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
