// Counts the SQL statements a server process runs through better-sqlite3, for `npm run bench` on
// SQLite (on PostgreSQL the server itself counts, through pg_stat_statements). Loaded only by the
// benchmark, with NODE_OPTIONS="--import <this file>" and BENCH_QUERY_COUNT_DIR set; the app knows
// nothing of it. Counting happens below Prisma, at the driver: every statement Prisma sends (its
// BEGIN/COMMIT included) is one call of a better-sqlite3 Statement's run/get/all/iterate, or one
// Database#exec of a script.
//
// On SIGUSR2 the process writes its counts to <BENCH_QUERY_COUNT_DIR>/<pid>.json (atomically, by
// rename); the benchmark reads them before and after each measurement.

import { renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const dir = process.env.BENCH_QUERY_COUNT_DIR;
if (dir) {
  // The server loads better-sqlite3 with require() from the project's node_modules: the same module.
  const Database = createRequire(join(process.cwd(), "package.json"))("better-sqlite3");
  /** SQL text → { calls, rows } (rows changed, for writes) */
  const counts = {};
  const count = (sql, rows) => {
    const entry = (counts[sql] ??= { calls: 0, rows: 0 });
    entry.calls++;
    entry.rows += rows;
  };

  const probe = new Database(":memory:");
  const Statement = Object.getPrototypeOf(probe.prepare("SELECT 1"));
  probe.close();
  for (const method of ["get", "all", "iterate"]) {
    const original = Statement[method];
    Statement[method] = function (...args) {
      count(this.source, 0);
      return original.apply(this, args);
    };
  }
  const run = Statement.run;
  Statement.run = function (...args) {
    const result = run.apply(this, args);
    count(this.source, result.changes);
    return result;
  };
  const exec = Database.prototype.exec;
  Database.prototype.exec = function (sql) {
    count(sql, 0);
    return exec.call(this, sql);
  };

  process.on("SIGUSR2", () => {
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file);
  });
}
