// Database statements per request, counted where they run, for `npm run bench`.
//
// PostgreSQL: the server counts them itself in pg_stat_statements (every statement of every
// connection, with the rows it returned or changed); the benchmark reads the view before and after
// each measurement, for the app's databases only, from a connection to another database.
// SQLite (in the server's process): sqlite-query-counter.mjs, preloaded into the server by the
// benchmark only, counts the statements better-sqlite3 runs; the server writes its counts on SIGUSR2.
//
// Either way a snapshot is { sql: { calls, rows } } (PostgreSQL normalizes constants to $1, $2, …;
// Prisma's statements have placeholders anyway), and perRequest() turns two snapshots into queries,
// writes and the rest per request by each statement's first keyword (SELECT, UPDATE, BEGIN, …).

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";

const DATA_KINDS = new Set(["SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "REPLACE"]);
const WRITE_KINDS = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);

const kindOf = (sql) => (/^\s*([A-Za-z]+)/.exec(sql)?.[1] ?? "?").toUpperCase();

/**
 * Statements per request between two snapshots: queries (reads and writes), writes, rows written,
 * the other statements by kind (BEGIN, COMMIT, PRAGMA, …) and each statement's text with its calls.
 */
export function perRequest(before, after, requests) {
  const delta = Object.entries(after)
    .map(([sql, { calls, rows }]) => ({
      sql,
      kind: kindOf(sql),
      calls: calls - (before[sql]?.calls ?? 0),
      rows: rows - (before[sql]?.rows ?? 0),
    }))
    .filter(({ calls }) => calls > 0);
  const sum = (keep, field) => delta.reduce((total, s) => total + (keep(s.kind) ? s[field] : 0), 0) / requests;
  const other = {};
  for (const { kind, calls } of delta) if (!DATA_KINDS.has(kind)) other[kind] = (other[kind] ?? 0) + calls / requests;
  return {
    queries: sum((kind) => DATA_KINDS.has(kind), "calls"),
    writes: sum((kind) => WRITE_KINDS.has(kind), "calls"),
    rowsWritten: sum((kind) => WRITE_KINDS.has(kind), "rows"),
    other,
    statements: Object.fromEntries(delta.map(({ sql, calls }) => [sql, calls / requests])),
  };
}

/** Counting in the server's own process, for SQLite. */
export function sqliteQueryCounter() {
  const dir = mkdtempSync(join(tmpdir(), "bench-query-counts-"));
  const preload = fileURLToPath(new URL("./sqlite-query-counter.mjs", import.meta.url));
  return {
    method: "statements run by better-sqlite3 in the server process (preloaded counter)",
    /** What the server's environment needs for it to count. */
    serverEnv: (env) => ({
      NODE_OPTIONS: [env.NODE_OPTIONS, `--import=${pathToFileURL(preload).href}`].filter(Boolean).join(" "),
      BENCH_QUERY_COUNT_DIR: dir,
    }),
    /** The counts of these server processes, summed. */
    async snapshot(pids) {
      const total = {};
      for (const pid of pids) {
        const file = join(dir, `${pid}.json`);
        rmSync(file, { force: true });
        process.kill(pid, "SIGUSR2");
        for (let waited = 0; !existsSync(file); waited += 5) {
          if (waited > 5_000) throw new Error(`process ${pid} did not report its query counts`);
          await sleep(5);
        }
        for (const [sql, { calls, rows }] of Object.entries(JSON.parse(readFileSync(file, "utf8")))) {
          const entry = (total[sql] ??= { calls: 0, rows: 0 });
          entry.calls += calls;
          entry.rows += rows;
        }
      }
      return total;
    },
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Counting by PostgreSQL, through pg_stat_statements on the server `serverUrl` names (its
 * maintenance database "postgres" holds the view). Undefined when the server does not load the
 * extension (shared_preload_libraries): the figures are then reported as not counted.
 */
export async function postgresQueryCounter(maintenanceUrl) {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await client.query("SELECT 1 FROM pg_stat_statements LIMIT 1");
  } catch {
    await client.end();
    return undefined;
  }
  return {
    method: "pg_stat_statements (calls of every statement on the app's databases)",
    serverEnv: () => ({}),
    /** Totals so far for statements run on `databases` (names). */
    async snapshot(_pids, databases) {
      const { rows } = await client.query(
        `SELECT s.query, s.calls, s.rows FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = ANY($1)`,
        [databases],
      );
      const total = {};
      for (const row of rows) {
        const entry = (total[row.query] ??= { calls: 0, rows: 0 });
        entry.calls += Number(row.calls);
        entry.rows += Number(row.rows);
      }
      return total;
    },
    close: () => client.end(),
  };
}
