#!/usr/bin/env node
// Stands in for Prisma's native `schema-engine` binary, which the CLI cannot download here.
// The work is done by Prisma's own engine, compiled to WebAssembly (@prisma/schema-engine-wasm);
// this file only speaks the native binary's command-line and JSON-RPC protocol around it and
// works around the few places where the wasm build behaves differently. See README.md.
// SQLite for file: URLs (better-sqlite3), PostgreSQL for postgres:// and postgresql:// URLs
// (adapter-pg, with the changes in postgres-adapter.mjs).
//
// Protocol (as the CLI in node_modules/prisma/build/cli.js uses it):
//   schema-engine --version
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database | create-database
//   schema-engine [--datamodels <schema path>]… [--datasource '{"url":…}']
//     then newline-delimited JSON-RPC 2.0 on stdin/stdout, JSON log lines on stderr.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { connectionConfig, postgresAdapterFactory } from "./postgres-adapter.mjs";

const { values: opts, positionals } = parseArgs({
  strict: false,
  allowPositionals: true,
  options: {
    version: { type: "boolean", short: "V" },
    datamodels: { type: "string", multiple: true },
    datasource: { type: "string" },
  },
});
const datasource = opts.datasource ? JSON.parse(opts.datasource) : undefined;
const isPostgres = /^postgres(ql)?:\/\//.test(datasource?.url ?? "");
const NO_FILTERS = { externalTables: [], externalEnums: [] };

// The CLI reports the message of the last ERROR line on stderr when the engine exits with 1.
process.on("uncaughtException", (e) => log("ERROR", e.message, {}, () => process.exit(1)));

if (datasource?.url && !datasource.url.startsWith("file:") && !isPostgres) {
  fail(undefined, "The wasm schema engine stand-in supports SQLite (file:) and PostgreSQL (postgres://) URLs only.");
} else if (opts.version) {
  const { version } = await loadWasm();
  console.log(`schema-engine-wasm ${version()}`);
} else if (positionals[0] === "cli" && isPostgres) {
  await runPostgresOneShot(positionals[1]);
} else if (positionals[0] === "cli") {
  runOneShot(positionals[1]);
} else {
  await serveJsonRpc();
}

// Relative paths are relative to the working directory the CLI starts us in, as for the native engine.
function dbFileOf(url) {
  return url && path.resolve(url.slice("file:".length).replace(/\?.*$/, ""));
}

function log(level, message, fields = {}, done) {
  const line = {
    timestamp: new Date().toISOString(),
    level,
    fields: { message, ...fields },
    target: "schema_engine::logger",
  };
  process.stderr.write(JSON.stringify(line) + "\n", done);
}

function fail(errorCode, message) {
  log("ERROR", message, errorCode ? { error_code: errorCode, is_panic: false } : {});
  process.exitCode = 1;
}

// The CLI ensures the database exists with these before it starts an engine session. It skips
// the first stderr line and reads an `error_code` (P1003 = "does not exist") from the others.
function runOneShot(command) {
  log("INFO", `schema-engine-wasm stand-in: cli ${command}`);
  const dbFile = dbFileOf(datasource?.url);
  if (!dbFile) {
    fail(undefined, "No datasource URL given.");
  } else if (command === "can-connect-to-database") {
    if (!fs.existsSync(dbFile)) fail("P1003", `Database \`${path.basename(dbFile)}\` does not exist at \`${dbFile}\``);
  } else if (command === "create-database") {
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    fs.closeSync(fs.openSync(dbFile, "a")); // an empty file is an empty SQLite database
  } else {
    fail(undefined, `Unsupported command: cli ${command}`);
  }
}

// The same two commands on Postgres, with the error codes and messages of the native engine.
async function runPostgresOneShot(command) {
  log("INFO", `schema-engine-wasm stand-in: cli ${command}`);
  const config = connectionConfig(datasource.url);
  const server = `${config.host ?? "localhost"}:${config.port ?? 5432}`;
  const database = config.database ?? "postgres";
  // The database to create does not exist yet: create it from the server's maintenance database.
  const client = new pg.Client(command === "create-database" ? { ...config, database: "postgres" } : config);
  try {
    await client.connect();
    if (command === "create-database") await createPostgresDatabase(client, database);
    else if (command !== "can-connect-to-database") fail(undefined, `Unsupported command: cli ${command}`);
  } catch (e) {
    const at = `database server at \`${server}\``;
    if (e.code === "3D000") fail("P1003", `Database \`${database}\` does not exist on the ${at}`);
    else if (e.code === "28P01") fail("P1000", `Authentication failed against ${at}`);
    else if (["ECONNREFUSED", "ENOTFOUND", "ENOENT"].includes(e.code)) fail("P1001", `Can't reach ${at}`);
    else fail(undefined, e.message);
  } finally {
    await client.end().catch(() => {});
  }
}

// Unlike the native engine, a database created by someone else meanwhile (two instances starting at
// once against a new database) is not an error: the caller wants it to exist, and now it does.
async function createPostgresDatabase(client, database) {
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } catch (e) {
    if (e.code !== "42P04" && !(e.code === "23505" && e.constraint === "pg_database_datname_index")) throw e;
  }
}

async function loadWasm() {
  // Rust panics are reported through this global; without it a panic surfaces as a TypeError.
  globalThis.PRISMA_WASM_PANIC_REGISTRY = {
    message: "",
    set_message(m) {
      this.message = m;
    },
  };
  // The package's entry point imports the .wasm as an ES module, which Node 20 cannot do without
  // a flag, so instantiate it by hand from the same package (glue and .wasm must match).
  const glueUrl = import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = await import(glueUrl);
  const wasmModule = new WebAssembly.Module(fs.readFileSync(new URL("schema_engine_bg.wasm", glueUrl)));
  const instance = new WebAssembly.Instance(wasmModule, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue;
}

async function serveJsonRpc() {
  const { SchemaEngine } = await loadWasm();
  const dbFile = isPostgres ? undefined : dbFileOf(datasource?.url);
  const connections = [];
  let engine = await startEngine();

  function startEngine() {
    const datamodels = (opts.datamodels ?? []).map((file) => [file, fs.readFileSync(file, "utf8")]);
    const forwardLog = (line) => process.stderr.write(line.trimEnd() + "\n");
    // An empty datamodels array crashes the engine; undefined means "no schema".
    return SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, forwardLog, adapterFactory());
  }

  function adapterFactory() {
    if (isPostgres) return bindMigrationAwareSqlAdapterFactory(postgresAdapterFactory(datasource.url, track));
    const factory = new PrismaBetterSqlite3(
      { url: `file:${dbFile ?? ":memory:"}` },
      // Native Prisma stores SQLite DateTimes (e.g. _prisma_migrations.finished_at) as unix milliseconds.
      { timestampFormat: "unixepoch-ms", shadowDatabaseUrl: datasource?.shadowDatabaseUrl },
    );
    const connect = factory.connect.bind(factory);
    const connectToShadowDb = factory.connectToShadowDb.bind(factory);
    factory.connect = async () =>
      track(
        openLazily(factory.adapterName, async () => {
          if (dbFile) fs.mkdirSync(path.dirname(dbFile), { recursive: true });
          return acceptScripts(await connect());
        }),
      );
    factory.connectToShadowDb = async () => track(acceptScripts(await connectToShadowDb()));
    return bindMigrationAwareSqlAdapterFactory(factory);
  }

  function track(adapter) {
    connections.push(adapter);
    return adapter;
  }

  // The wasm engine connects as soon as it starts; the native one opens the database only when a
  // command needs it, so e.g. `migrate diff --from-empty` does not leave an empty database file.
  function openLazily(adapterName, open) {
    let opened;
    const forward =
      (method) =>
      async (...args) =>
        (await (opened ??= open()))[method](...args);
    return {
      provider: "sqlite",
      adapterName,
      queryRaw: forward("queryRaw"),
      executeRaw: forward("executeRaw"),
      executeScript: forward("executeScript"),
      startTransaction: forward("startTransaction"),
      dispose: async () => opened && (await opened).dispose(),
    };
  }

  // The engine replays whole migration scripts on the shadow database through executeRaw, but
  // better-sqlite3 prepares exactly one statement and throws a RangeError for several (or none,
  // e.g. an empty migration). exec() runs any script, like the native driver.
  function acceptScripts(adapter) {
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      try {
        return await executeRaw(query);
      } catch (e) {
        if (!(e instanceof RangeError) || query.args.length > 0) throw e;
        await adapter.executeScript(query.sql);
        return 0;
      }
    };
    return adapter;
  }

  // Without a `_prisma_migrations` table the wasm engine fails with P1014 where the native engine
  // sees an empty history. applyMigrations with no migrations is the engine's own way to create
  // the table; it refuses (P3005) when the database already has other tables.
  const isMissingHistory = (e) => e?.code === "P1014";
  const createHistoryTable = (p) =>
    engine.applyMigrations({
      migrationsList: { ...p.migrationsList, migrationDirectories: [] },
      filters: p.filters ?? NO_FILTERS,
    });

  // evaluateDataLoss and createMigration need the schema the migrations produce on a shadow
  // database. The wasm build cannot create one for them ("SQLite shadow DB must be provided through
  // an external factory") and only finds that schema in the cache devDiagnostic fills, for the
  // migrations applied at the time. migrate dev calls devDiagnostic first, but applies pending
  // migrations before these calls: refresh the cache then and retry once.
  async function withMigratedShadowSchema(p, call) {
    try {
      return await call();
    } catch (e) {
      if (!/must be provided through an external factory/.test(e?.message)) throw e;
      await engine.devDiagnostic({ migrationsList: p.migrationsList, filters: p.filters });
      return call();
    }
  }

  const handlers = {
    applyMigrations: (p) => engine.applyMigrations(p),
    dbExecute: (p) => engine.dbExecute(p),
    debugPanic: () => engine.debugPanic(),
    ensureConnectionValidity: (p) => engine.ensureConnectionValidity(p),
    getDatabaseVersion: (p) => engine.version(p),
    introspect: (p) => engine.introspect(p),
    markMigrationRolledBack: (p) => engine.markMigrationRolledBack(p),
    schemaPush: (p) => engine.schemaPush(p),
    evaluateDataLoss: (p) => withMigratedShadowSchema(p, () => engine.evaluateDataLoss(p)),
    createMigration: (p) => withMigratedShadowSchema(p, () => engine.createMigration(p)),

    async diff(p) {
      // The native engine prints the diff through the CLI (which can capture it for --output).
      const result = await engine.diff(p);
      if (result.stdout) send({ jsonrpc: "2.0", id: "print", method: "print", params: { content: result.stdout } });
      return { ...result, stdout: null };
    },

    async devDiagnostic(p) {
      try {
        return await engine.devDiagnostic(p);
      } catch (e) {
        if (!isMissingHistory(e)) throw e;
        // migrate dev creates the table right after this call anyway. A database with tables but
        // no history has drifted, for which the native engine also answers "reset".
        try {
          await createHistoryTable(p);
        } catch (e2) {
          if (e2?.code === "P3005") return { action: { tag: "reset", reason: e2.message } };
          throw e2;
        }
        return engine.devDiagnostic(p);
      }
    },

    async diagnoseMigrationHistory(p) {
      try {
        return await engine.diagnoseMigrationHistory(p);
      } catch (e) {
        if (!isMissingHistory(e)) throw e;
        // migrate status must not write, so answer as the native engine does: nothing applied yet.
        const unapplied = p.migrationsList.migrationDirectories.map((d) => d.path);
        return {
          hasMigrationsTable: false,
          editedMigrationNames: [],
          failedMigrationNames: [],
          history: unapplied.length ? { diagnostic: "databaseIsBehind", unappliedMigrationNames: unapplied } : null,
        };
      }
    },

    async markMigrationApplied(p) {
      try {
        return await engine.markMigrationApplied(p);
      } catch (e) {
        if (!isMissingHistory(e)) throw e;
        await createHistoryTable(p);
        return engine.markMigrationApplied(p);
      }
    },

    async reset(p) {
      if (!dbFile) return engine.reset(p);
      // The wasm engine's reset only deletes the rows; the native engine deletes the SQLite file.
      engine.free();
      await Promise.all(connections.splice(0).map((c) => c.dispose()));
      for (const suffix of ["", "-journal", "-wal", "-shm"]) fs.rmSync(dbFile + suffix, { force: true });
      engine = await startEngine();
      return null;
    },
  };

  function send(message) {
    process.stdout.write(JSON.stringify(message) + "\n");
  }

  function rpcError(e) {
    if (e instanceof WebAssembly.RuntimeError) {
      const message = globalThis.PRISMA_WASM_PANIC_REGISTRY.message || e.message;
      return { code: 4466, message, data: { is_panic: true, message, backtrace: e.stack } };
    }
    return {
      code: 4466,
      message: "An error happened. Check the data field for details.",
      data: { is_panic: false, message: e?.message ?? String(e), error_code: e?.code, meta: e?.meta },
    };
  }

  // One request at a time, in order, like the native engine's stdio loop.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    const request = JSON.parse(line);
    if (!request.method) return; // the CLI's acknowledgement of a print request
    queue = queue.then(async () => {
      const handler = Object.hasOwn(handlers, request.method) ? handlers[request.method] : undefined;
      if (!handler) {
        send({
          jsonrpc: "2.0",
          id: request.id,
          error: { code: -32601, message: `Method not found: ${request.method}` },
        });
        return;
      }
      try {
        const result = await handler(request.params);
        send({ jsonrpc: "2.0", id: request.id, result: result ?? null });
      } catch (e) {
        const error = rpcError(e);
        send({ jsonrpc: "2.0", id: request.id, error });
        if (error.data.is_panic) {
          process.exitCode = 101; // as the native engine; the wasm instance is unusable after a panic
          lines.close();
        }
      }
    });
  });
  // The CLI closes stdin and kills the engine right away. Close the database files first, or
  // SQLite leaves a -journal file next to the database.
  const shutdown = async () => {
    await Promise.all(connections.splice(0).map((c) => c.dispose()));
    process.exit();
  };
  lines.on("close", () => queue.then(shutdown));
  process.on("SIGTERM", shutdown);
}
