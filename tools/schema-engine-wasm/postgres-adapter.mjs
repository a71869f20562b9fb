// The migration-aware Postgres driver adapter the wasm schema engine runs on: @prisma/adapter-pg
// 7.10.0 with the five changes the schema engine needs (the query-engine side of the adapter, which
// the app uses, needs none of them). Re-check each one when upgrading the adapter.
import crypto from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { parseIntoClientConfig } from "pg-connection-string";

const CHAR_OID = 18; // PostgreSQL's internal one-byte type "char", not char(n)
const TEXT_OID = 25;

/** The `pg` connection settings for a Prisma Postgres URL, `?schema=` included. */
export function connectionConfig(url) {
  // (1) Parsed parts, not { connectionString }: pg lets a connectionString override `database`, so
  // the adapter's `{ ...config, database }` for the shadow database would connect to the main one.
  const config = parseIntoClientConfig(url);
  const schema = new URL(url).searchParams.get("schema");
  if (schema) {
    // (5) The engine path ignores ?schema=, so make it the session's search_path, as Prisma's native engine does.
    const quoted = `"${schema.replaceAll('"', '""')}"`.replace(/[\\\s]/g, "\\$&"); // options are split on spaces
    config.options = [config.options, `-c search_path=${quoted}`].filter(Boolean).join(" ");
  }
  return config;
}

/** A factory for `bindMigrationAwareSqlAdapterFactory`; `track(adapter)` sees every adapter it opens. */
export function postgresAdapterFactory(url, track = (adapter) => adapter) {
  // Not an adapter bug, but needed: the engine takes Prisma's migration lock (a session-level advisory
  // lock) once, on a pooled connection, and pg closes connections idle for 10 s, which drops the lock
  // while the engine still runs (e.g. while `migrate dev` waits at a prompt). Keep them open instead.
  const config = { ...connectionConfig(url), idleTimeoutMillis: 0 };
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  const factory = new PrismaPg(config, { schema });
  const connect = factory.connect.bind(factory);

  factory.connect = async () => track(adapted(await connect()));

  // (3) The adapter drops its shadow database before it closes the pool connected to it, which fails
  // ("being accessed by other users") and leaves one database behind per run: close first, then drop.
  factory.connectToShadowDb = async () => {
    const main = await connect();
    const database = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = adapted(await new PrismaPg({ ...config, database }, { schema }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await main.dispose();
    };
    return track(shadow);
  };
  return factory;
}

function adapted(adapter) {
  // (2) The engine reads pg_catalog columns of type "char", which the adapter refuses to deserialize
  // ("Column type 'char' could not be deserialized"); their values arrive as one-letter strings: text.
  const performIO = adapter.performIO.bind(adapter);
  adapter.performIO = async (query) => {
    const result = await performIO(query);
    // A script of several statements (run by executeRaw) yields one result per statement.
    for (const { fields } of [result].flat()) {
      for (const field of fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
    return result;
  };

  // (4) The adapter splits scripts on every ";", even inside 'a;b' or $$…$$ bodies; Postgres runs a
  // multi-statement script sent whole (simple query protocol), like the native engine does.
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (e) {
      adapter.onError(e);
    }
  };
  return adapter;
}
