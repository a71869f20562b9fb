// The database client. This is the only module that knows which database it talks to: SQLite through
// the better-sqlite3 driver adapter (the embedded default). Other modules import the client and the
// row types from here, never from the generated code.

import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { config } from "../config";
import { PrismaClient } from "./generated/sqlite/client";

// Chosen for a web server whose answers promise durability:
// - WAL lets readers (every whoami) run while a logout writes, instead of queueing behind it.
// - synchronous=FULL syncs the WAL on every commit, so a 204 for a logout survives power loss,
//   not only a crashed process (NORMAL would risk the last commits on an OS crash). Measured on
//   the 2-core dev machine, a one-row UPDATE commits in ~0.11 ms with FULL and ~0.01 ms with
//   NORMAL: small next to the few milliseconds of CPU a browser logout costs (unsealing the
//   cookie, Next's routing), though a busy disk makes fsyncs slower. Repeated logouts of an
//   ended session write nothing at all (see logout.ts).
// - busy_timeout (the `timeout` option below) makes a writer that meets another process's write
//   lock wait for it instead of failing with SQLITE_BUSY, so several instances can share a file.
const CONNECTION_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
const BUSY_TIMEOUT_MS = 5_000;

function sqliteAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const path = url.replace(/^file:/, "");
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const factory = new PrismaBetterSqlite3({ url, timeout: BUSY_TIMEOUT_MS }, { timestampFormat: "unixepoch-ms" });
  const withPragmas = async (adapter: SqlDriverAdapter) => {
    await adapter.executeScript(CONNECTION_PRAGMAS);
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect().then(withPragmas),
    connectToShadowDb: () => factory.connectToShadowDb().then(withPragmas),
  };
}

/** A client for a database URL. The app uses `db()`; scripts and tests may open other databases. */
export function createPrismaClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: sqliteAdapter(url) });
}

// One client per database per process, kept on globalThis because `next dev` re-evaluates modules
// on every edit and each evaluation would otherwise open the database again.
const globalForPrisma = globalThis as unknown as { prismaClients?: Map<string, PrismaClient> };

export function db(): PrismaClient {
  const url = config().databaseUrl;
  const clients = (globalForPrisma.prismaClients ??= new Map());
  let client = clients.get(url);
  if (!client) clients.set(url, (client = createPrismaClient(url)));
  return client;
}

export type { Identity, SelfServiceError, SelfServiceFlow, Session } from "./generated/sqlite/client";
export { Prisma, type PrismaClient } from "./generated/sqlite/client";
