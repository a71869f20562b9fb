// A fresh database per test file, copied from the template the project's global setup migrated once:
// a file for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL.

import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, dropDatabase } from "../../scripts/postgres-sandbox.mjs";

export type TestDatabase = {
  kind: "sqlite" | "postgres";
  url: string;
  /** Changes whenever anything was written to the database, and only then. */
  fingerprint: () => Promise<string>;
  drop: () => Promise<void>;
};

export async function freshDatabase(): Promise<TestDatabase> {
  const template = inject("template");
  if (template.kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "logout-app-"));
    const file = join(dir, "app.db");
    copyFileSync(template.file, file);
    return {
      kind: "sqlite",
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

  const name = `logout_test_${randomUUID().replaceAll("-", "")}`;
  const url = await createDatabase(template.serverUrl, name, { template: template.name });
  return {
    kind: "postgres",
    url,
    fingerprint: () => rowVersions(url),
    drop: () => dropDatabase(template.serverUrl, name),
  };
}

/**
 * Every row version in the database's tables: PostgreSQL writes a new version (a new ctid and xmin)
 * for every insert and update, even one that changes no value, and a delete removes one.
 */
async function rowVersions(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const hash = createHash("sha256");
    for (const { name } of tables) {
      const { rows } = await client.query<{ versions: string | null }>(
        `SELECT string_agg(ctid::text || ':' || xmin::text, ',' ORDER BY ctid) AS versions FROM ${pg.escapeIdentifier(name)}`,
      );
      hash.update(`${name}=${rows[0]?.versions ?? ""};`);
    }
    return hash.digest("hex");
  } finally {
    await client.end();
  }
}
