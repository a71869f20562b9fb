#!/usr/bin/env node
// Writes prisma/postgres/schema.prisma from prisma/schema.prisma (`npm run db:schemas`).
//
// A Prisma schema names one database provider, and its migrations and generated client are for that
// provider only, so Postgres needs a schema of its own. The models are written once, in
// prisma/schema.prisma (SQLite, the default); the Postgres schema is that file with another provider
// and another client output folder. `npm run db:check` fails when the two have drifted apart.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SOURCE_SCHEMA = "prisma/schema.prisma";
export const POSTGRES_SCHEMA = "prisma/postgres/schema.prisma";
const POSTGRES_CLIENT_OUTPUT = "../../lib/server/database/generated/postgres";

const HEADER = "// Generated from ../schema.prisma by `npm run db:schemas`; do not edit.\n\n";

/** The text prisma/postgres/schema.prisma must have for the current prisma/schema.prisma. */
export function postgresSchema() {
  const source = fs.readFileSync(path.join(projectRoot, SOURCE_SCHEMA), "utf8");
  let schema = replaceOnce(source, /(datasource \w+ \{[^}]*?provider\s*=\s*)"sqlite"/, '$1"postgresql"');
  schema = replaceOnce(schema, /(generator \w+ \{[^}]*?output\s*=\s*)"[^"]*"/, `$1"${POSTGRES_CLIENT_OUTPUT}"`);
  return HEADER + schema;
}

function replaceOnce(text, pattern, replacement) {
  if (!pattern.test(text)) throw new Error(`${SOURCE_SCHEMA} does not match ${pattern}: fix scripts/db-schemas.mjs.`);
  return text.replace(pattern, replacement);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const target = path.join(projectRoot, POSTGRES_SCHEMA);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, postgresSchema());
  console.log(`Wrote ${POSTGRES_SCHEMA} from ${SOURCE_SCHEMA}.`);
}
