#!/usr/bin/env node
// A throwaway PostgreSQL server for tests, CI and benchmarks: a fresh cluster in a temporary
// directory, listening on a free port on 127.0.0.1, trusting every local connection, gone when stopped.
//
//   import { startPostgres, createDatabase, dropDatabase } from "./postgres-sandbox.mjs";
//   const postgres = await startPostgres();       // { url, stop() }, url names the "postgres" database
//   ...
//   await postgres.stop();
//
//   node scripts/postgres-sandbox.mjs             # prints the URL, stops the server on Ctrl-C or SIGTERM
//
// Durability is switched off (fsync, synchronous_commit, full_page_writes): a crash of the machine
// may corrupt the cluster, which does not matter for data that is thrown away anyway, and it makes
// creating databases and running migrations several times faster.
//
// It uses the server binaries of the highest PostgreSQL in /usr/lib/postgresql/*/bin (Debian's
// layout), else initdb and pg_ctl on PATH. initdb refuses to run as root, so as root the binaries
// run as the `postgres` user (which Debian's package creates) and the directory is handed to it.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const DEBIAN_ROOT = "/usr/lib/postgresql";
const SUPERUSER = "postgres";
const isRoot = process.getuid?.() === 0;

/**
 * Starts a fresh PostgreSQL cluster. `settings` are extra server settings (`-c name=value`),
 * e.g. `{ log_statement: "all" }`; the server log is `<dataDir>/server.log`.
 */
export async function startPostgres({ settings = {} } = {}) {
  const bin = findServerBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "postgres-sandbox-"));
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dataDir, "server.log");
  const asServerUser = (file, args) =>
    isRoot ? run("runuser", ["-u", SUPERUSER, "--", file, ...args]) : run(file, args);
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stopOnExit);
    // Immediate: nothing in a throwaway cluster needs a clean shutdown checkpoint.
    await asServerUser(bin.pg_ctl, ["-D", dataDir, "-m", "immediate", "stop"]).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A test run that crashes or calls process.exit() should not leave a server behind.
  const stopOnExit = () => {
    if (stopped) return;
    const args = ["-D", dataDir, "-m", "immediate", "stop"];
    try {
      if (isRoot) execFileSync("runuser", ["-u", SUPERUSER, "--", bin.pg_ctl, ...args], { stdio: "ignore" });
      else execFileSync(bin.pg_ctl, args, { stdio: "ignore" });
    } catch {}
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stopOnExit);

  try {
    if (isRoot) {
      fs.chownSync(dir, ...serverUserIds());
      fs.chmodSync(dir, 0o700);
    }
    await asServerUser(bin.initdb, [
      ...["-D", dataDir, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"],
      ...["--no-sync", "--no-instructions"],
    ]);
    const options = { fsync: "off", synchronous_commit: "off", full_page_writes: "off", ...settings };
    const serverArgs = Object.entries(options).map(([name, value]) => `-c ${name}=${value}`);
    // The port is free when we look, but another process may take it before the server binds it.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const postgresOptions = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", ...serverArgs].join(" ");
      const start = () =>
        asServerUser(bin.pg_ctl, ["-D", dataDir, "-l", logFile, "-w", "-o", postgresOptions, "start"]);
      try {
        await start();
        return {
          url: `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`,
          dataDir,
          stop,
          // For tests of an outage: the server goes away and comes back on the same port with its data.
          pause: () => asServerUser(bin.pg_ctl, ["-D", dataDir, "-m", "immediate", "stop"]),
          resume: start,
        };
      } catch (e) {
        if (attempt === 3) throw new Error(`pg_ctl start failed: ${e.stderr || e.message}\n${readLog(logFile)}`);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Creates database `name` on the server `serverUrl` points to, empty or as a copy of `template`
 * (which nobody may be connected to while it is copied), and returns the new database's URL.
 */
export async function createDatabase(serverUrl, name, { template } = {}) {
  const copy = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : "";
  await onMaintenanceDatabase(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${copy}`),
  );
  return databaseUrl(serverUrl, name);
}

/** Drops database `name` on the server `serverUrl` points to, closing the connections still open to it. */
export async function dropDatabase(serverUrl, name) {
  await onMaintenanceDatabase(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/** `url` with its database name replaced by `name`; the other parts (user, host, `?schema=`) are kept. */
export function databaseUrl(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.href;
}

// A database cannot be created from a template or dropped over a connection to itself.
async function onMaintenanceDatabase(serverUrl, work) {
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, "postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function findServerBinaries() {
  const versions = fs.existsSync(DEBIAN_ROOT)
    ? fs.readdirSync(DEBIAN_ROOT).filter((v) => fs.existsSync(path.join(DEBIAN_ROOT, v, "bin", "initdb")))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  const dirs = [
    ...versions.map((v) => path.join(DEBIAN_ROOT, v, "bin")),
    ...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean),
  ];
  const dir = dirs.find((d) => fs.existsSync(path.join(d, "initdb")) && fs.existsSync(path.join(d, "pg_ctl")));
  if (!dir) {
    throw new Error(
      `PostgreSQL's server programs (initdb, pg_ctl) are neither in ${DEBIAN_ROOT}/*/bin nor on PATH. ` +
        "On Debian or Ubuntu install the `postgresql` package (apt-get install -y postgresql); " +
        "`postgresql-client` alone does not have them.",
    );
  }
  return { initdb: path.join(dir, "initdb"), pg_ctl: path.join(dir, "pg_ctl") };
}

function serverUserIds() {
  try {
    const uid = Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8" }));
    return [uid, gid];
  } catch {
    throw new Error(
      `Running as root, but there is no \`${SUPERUSER}\` user to run the server as (initdb refuses root). ` +
        "Debian's `postgresql` package creates it; or run as a normal user.",
    );
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function readLog(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // Listen before starting, so that a signal during the start-up still stops and deletes the server.
  let postgres;
  let stopRequested = false;
  const stopAndExit = async () => {
    stopRequested = true;
    if (!postgres) return; // still starting: stopped below once it is up
    await postgres.stop();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, stopAndExit);
  const started = Date.now();
  postgres = await startPostgres();
  if (stopRequested) await stopAndExit();
  console.log(postgres.url);
  console.error(
    `PostgreSQL started in ${Date.now() - started} ms (data in ${postgres.dataDir}). Any database name may ` +
      "replace /postgres in DATABASE_URL: prisma migrate dev and deploy create it. Ctrl-C stops and deletes it.",
  );
  setInterval(() => {}, 1 << 30); // keep running until a signal arrives
}
