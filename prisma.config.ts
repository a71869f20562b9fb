import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

// Every Prisma CLI command first makes sure the native schema engine is there and otherwise downloads it,
// which cannot work on machines that reach only the npm registry. On those, point the CLI at the
// WebAssembly stand-in (tools/schema-engine-wasm/README.md). The CLI reads the variable after loading
// this file. A caller's own PRISMA_SCHEMA_ENGINE_BINARY wins, and so does a native engine that the
// @prisma/engines postinstall (or an earlier CLI run) downloaded: it is `schema-engine-<platform>` in
// that package's folder, the first place the CLI looks.
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const enginesDir = path.dirname(createRequire(prismaCli).resolve("@prisma/engines/package.json"));
const hasNativeEngine = fs.readdirSync(enginesDir).some((name) => name.startsWith("schema-engine-"));
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && !hasNativeEngine) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(projectRoot, "tools/schema-engine-wasm/schema-engine.mjs");
}
// No background update check, which would phone home.
process.env.CHECKPOINT_DISABLE ??= "1";

// One schema and migration history per database (the provider is fixed per schema), chosen by the
// URL: postgres:// or postgresql:// for PostgreSQL, anything else (file:) for SQLite.
const url = process.env.DATABASE_URL ?? "file:./data/app.db";
const folder = /^postgres(ql)?:\/\//.test(url) ? "prisma/postgres" : "prisma";

export default defineConfig({
  schema: `${folder}/schema.prisma`,
  migrations: { path: `${folder}/migrations` },
  // A relative SQLite path is resolved against the directory the CLI runs in: the project root.
  // The engine creates data/ along with the database file.
  datasource: { url },
});
