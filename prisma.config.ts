import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

// Every Prisma CLI command first makes sure the native schema engine is there and downloads it,
// which cannot work on machines that reach only the npm registry. The CLI reads these variables
// after loading this file, so point it at the WebAssembly stand-in (tools/schema-engine-wasm/README.md)
// unless the caller chose an engine already, and skip the update check that would phone home.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(projectRoot, "tools/schema-engine-wasm/schema-engine.mjs");
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // A relative SQLite path is resolved against the directory the CLI runs in: the project root.
  // The engine creates data/ along with the database file.
  datasource: { url: process.env.DATABASE_URL ?? "file:./data/app.db" },
});
