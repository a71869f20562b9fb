// The database client. This is the only module that knows which database it talks to, chosen by
// DATABASE_URL: SQLite through the better-sqlite3 driver adapter (the embedded default, `file:…`),
// or PostgreSQL through the pg driver adapter (`postgres://…`, `postgresql://…`). The two generated
// clients come from one set of models (prisma/schema.prisma), so the rest of the app uses one type.
// Other modules import the client and the row types from here, never from the generated code.

import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseIntoClientConfig } from "pg-connection-string";
import { config } from "../config";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient } from "./generated/sqlite/client";

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

// SQLite, chosen for a web server whose answers promise durability:
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

/**
 * better-sqlite3 runs each statement synchronously and the adapter resolves its promise at once, so
 * without this a request's whole chain of queries would run in one go, in microtasks, and the event
 * loop would not look at other connections until it ended. A burst of sign-ins (a flow, rate-limit
 * counts, a lookup each) then made every whoami and logout that arrived meanwhile wait for all of
 * them: 250–300 ms at the start of a 16-client flood. Waiting for the event loop's next turn before
 * each statement lets requests take turns, as they do on PostgreSQL, where each query waits for the
 * network anyway.
 */
function takingTurns(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    await nextTurn();
    return queryRaw(query);
  };
  adapter.executeRaw = async (query) => {
    await nextTurn();
    return executeRaw(query);
  };
  return adapter;
}

function sqliteAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const path = url.replace(/^file:/, "");
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const factory = new PrismaBetterSqlite3({ url, timeout: BUSY_TIMEOUT_MS }, { timestampFormat: "unixepoch-ms" });
  const withPragmas = async (adapter: SqlDriverAdapter) => {
    await adapter.executeScript(CONNECTION_PRAGMAS);
    return takingTurns(adapter);
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect().then(withPragmas),
    connectToShadowDb: () => factory.connectToShadowDb().then(withPragmas),
  };
}

// PostgreSQL: a pool of DATABASE_POOL_SIZE connections per process. A request waits at most this
// long for a connection (a pool slot or a new connection) before it fails, rather than forever.
const CONNECT_TIMEOUT_MS = 5_000;

function postgresAdapter(url: string, poolSize: number): PrismaPg {
  // `?schema=` selects a PostgreSQL schema, as in Prisma's own URLs; pg itself does not know it.
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  const pool = { ...parseIntoClientConfig(url), max: poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  return new PrismaPg(pool, { schema });
}

/** A client for a database URL. The app uses `db()`; scripts and tests may open other databases. */
export function createPrismaClient(url: string, poolSize = config().databasePoolSize): PrismaClient {
  if (!isPostgresUrl(url)) return new PrismaClient({ adapter: sqliteAdapter(url) });
  // Same models, same queries: only the provider differs, so the SQLite client's type describes it.
  return new PostgresClient({ adapter: postgresAdapter(url, poolSize) }) as unknown as PrismaClient;
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

/** Whether the database answers a trivial query within `timeoutMs` (the readiness probe). */
export async function databaseAnswers(timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const query = db().$queryRaw`SELECT 1`.then(() => true).catch(() => false);
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type { Identity, SelfServiceError, SelfServiceFlow, Session, WebhookDelivery } from "./generated/sqlite/client";
export { Prisma, type PrismaClient } from "./generated/sqlite/client";
