#!/usr/bin/env node
// `npm run bench`: the production build under load, on SQLite, PostgreSQL and two instances behind
// nginx, measured so that a shared, noisy machine cannot hide a change. For each setup it:
//
// 1. makes a fresh database and its fixtures with the app's own domain code (scripts/bench-sessions.ts:
//    100 stored sessions, one signed-in client, one revoked token, fresh sessions to log out) and
//    starts the server through scripts/serve.mjs (the cluster through scripts/cluster.mjs);
// 2. checks every target's first answer, warms every target up;
// 3. runs the targets (scripts/bench/targets.mjs) in interleaved rounds, A B C … A B C …, each for
//    --duration seconds at --connections connections (throughput, latency, CPU, statements), then
//    again in interleaved rounds at a fixed offered rate of half the baseline's median throughput
//    (latency without queueing); drift in the machine's load hits every target alike, and every
//    ratio is taken within a round, then the median over rounds is reported;
// 4. runs the checks (scripts/bench/checks.mjs): logout cost against the number of stored sessions,
//    webhook delivery from a logout's answer to a receiver here (issue 11), whoami and logout
//    latency during a flood of wrong-password logins with the abuse limits on (issue 13), and the
//    RSS, idle CPU and answer → event latency of open event streams (issue 12);
// 5. prints a Markdown table per setup with a verdict per cell against issue 15's goals and writes
//    everything (every round's raw figures too) to bench-results/latest.json.
//
//   npm run bench -- [--database sqlite|postgres|all] [--cluster] [--rounds 3] [--duration 3]
//                    [--rate-duration 2] [--warmup 1.5] [--connections 32] [--stored-sessions 20000]
//                    [--no-checks | --checks table-size,webhooks,login-flood,streams] [--build | --no-build]
//
// --database defaults to DATABASE_URL's kind. PostgreSQL is the server DATABASE_URL names if it is
// a postgres:// URL (scratch databases are created on it and dropped afterwards; counting statements
// needs pg_stat_statements in its shared_preload_libraries), else a throwaway server with durable
// commits (fsync on, like SQLite's synchronous=FULL). SQLite always uses fresh files in a temporary
// directory. --cluster runs two instances behind nginx on PostgreSQL; alone, it is the only setup.
// The app is built first when a source file is newer than .next/BUILD_ID (--build forces it).

import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { CHECKS } from "./bench/checks.mjs";
import { summarizeProfiles } from "./bench/profile-summary.mjs";
import { paced, saturate } from "./bench/load.mjs";
import { cpuSpent, cpuTimes, memoryMb, processTree } from "./bench/processes.mjs";
import { perRequest, postgresQueryCounter, sqliteQueryCounter } from "./bench/query-counts.mjs";
import { median } from "./bench/statistics.mjs";
import { P99_AT_RATE_GOAL, RSS_GOAL_MB, TARGETS } from "./bench/targets.mjs";
import { buildIsCurrent } from "./build.mjs";
import { startCluster } from "./cluster.mjs";
import { createDatabase, databaseUrl, dropDatabase, startPostgres } from "./postgres-sandbox.mjs";
import { prisma, startServer } from "./serve.mjs";

const { values: flags } = parseArgs({
  options: {
    database: { type: "string" },
    cluster: { type: "boolean", default: false },
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "3" },
    "rate-duration": { type: "string", default: "2" },
    warmup: { type: "string", default: "1.5" },
    connections: { type: "string", default: "32" },
    // Prisma's createMany costs ~1 ms of CPU per row here: 100,000 rows would take a minute or two per database.
    "stored-sessions": { type: "string", default: "20000" },
    "no-checks": { type: "boolean", default: false },
    checks: { type: "string" },
    profile: { type: "boolean", default: false },
    build: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
  },
});
const positive = (name, min = 0) => {
  const value = Number(flags[name]);
  if (!(value > min) || !Number.isFinite(value)) throw new Error(`--${name} must be a number above ${min}`);
  return value;
};
const options = {
  rounds: positive("rounds", 2),
  duration: positive("duration"),
  rateDuration: positive("rate-duration"),
  warmup: positive("warmup"),
  connections: positive("connections"),
  storedSessions: positive("stored-sessions"),
  // The ids of the checks to run: all of them by default.
  checks: flags["no-checks"] ? [] : (flags.checks?.split(",").map((id) => id.trim()) ?? CHECKS.map((c) => c.id)),
};
if (!Number.isInteger(options.rounds)) throw new Error("--rounds must be a whole number, at least 3");
for (const id of options.checks) {
  if (!CHECKS.some((check) => check.id === id)) {
    throw new Error(`--checks: no check ${JSON.stringify(id)} (there are ${CHECKS.map((c) => c.id).join(", ")})`);
  }
}

const isPostgresUrl = (url) => /^postgres(ql)?:\/\//.test(url ?? "");
if (flags.database !== undefined && !["sqlite", "postgres", "all"].includes(flags.database)) {
  throw new Error(`--database must be sqlite, postgres or all, not ${JSON.stringify(flags.database)}`);
}
// --cluster alone runs only the cluster; otherwise DATABASE_URL's kind is the default.
const database =
  flags.database ?? (flags.cluster ? undefined : isPostgresUrl(process.env.DATABASE_URL) ? "postgres" : "sqlite");
const setupIds = [
  ...(database === "sqlite" || database === "all" ? ["sqlite"] : []),
  ...(database === "postgres" || database === "all" ? ["postgres"] : []),
  ...(flags.cluster ? ["cluster"] : []),
];

const projectRoot = join(import.meta.dirname, "..");
process.chdir(projectRoot);
const work = mkdtempSync(join(tmpdir(), "logout-bench-"));
const cookieSecret = randomBytes(32).toString("base64url");
const startedAt = Date.now();
const log = (message) => console.error(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);

// ---------------------------------------------------------------------------------------------
// The build, the database servers, the fixtures and the app servers.

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Durable commits (the sandbox turns them off to make tests fast) and statement counting.
const BENCH_POSTGRES_SETTINGS = {
  fsync: "on",
  synchronous_commit: "on",
  full_page_writes: "on",
  shared_preload_libraries: "pg_stat_statements",
};

/** The PostgreSQL server: DATABASE_URL's, or a throwaway one. */
async function postgresServer() {
  const given = isPostgresUrl(process.env.DATABASE_URL) ? process.env.DATABASE_URL : undefined;
  const sandbox = given ? undefined : await startPostgres({ settings: BENCH_POSTGRES_SETTINGS });
  const serverUrl = given ?? sandbox.url;
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, "postgres") });
  await client.connect();
  const version = (await client.query("SHOW server_version")).rows[0].server_version;
  await client.end();
  const postmaster = sandbox && Number(readFileSync(join(sandbox.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    serverUrl,
    description: given
      ? `PostgreSQL ${version} named by DATABASE_URL`
      : `PostgreSQL ${version}, a throwaway server on this machine with durable commits`,
    /** The server's processes, when it runs here (its CPU is counted apart from the app's). */
    pids: () => (postmaster ? processTree([postmaster]) : []),
    stop: async () => sandbox?.stop(),
  };
}

/** The setups to run, each with its database factory and statement counter. */
async function makeSetup(id, postgres) {
  if (id === "sqlite") {
    return {
      id,
      title: "SQLite, one instance",
      postgres: false,
      cluster: false,
      databaseDescription: "SQLite (WAL, synchronous=FULL) in a fresh file",
      databasePids: () => [],
      counter: sqliteQueryCounter(),
      async createDatabase(label) {
        const url = `file:${join(work, `${label}.db`)}`;
        prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
        return withFixtures({ label, url, name: label });
      },
    };
  }
  const counter = await postgresQueryCounter(databaseUrl(postgres.serverUrl, "postgres"));
  if (!counter) log("pg_stat_statements is not loaded by that server: statements are not counted");
  return {
    id,
    title: id === "cluster" ? "PostgreSQL, two instances behind nginx" : "PostgreSQL, one instance",
    postgres: true,
    cluster: id === "cluster",
    databaseDescription: postgres.description,
    databasePids: postgres.pids,
    counter,
    async createDatabase(label) {
      const name = `bench_${id}_${label}_${process.pid}`;
      await dropDatabase(postgres.serverUrl, name);
      const url = await createDatabase(postgres.serverUrl, name);
      prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
      return withFixtures({ label, url, name, drop: () => dropDatabase(postgres.serverUrl, name) });
    },
  };
}

/** A database gets its fixture maker, and is done with by close() (which drops a scratch database). */
function withFixtures(database) {
  database.sessionRows = 0;
  database.fixtures = fixtureMaker(database);
  const drop = database.drop;
  database.close = async () => {
    await database.fixtures.stop();
    await drop?.();
  };
  return database;
}

function fixtureEnv(database) {
  return {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    COOKIE_SECRET: cookieSecret,
    PUBLIC_BASE_URL: "http://127.0.0.1",
  };
}

/**
 * scripts/bench-sessions.ts serving one database: started once, asked for sessions over its stdin
 * (starting tsx and the database client takes seconds on a busy machine).
 */
function fixtureMaker(database) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench-sessions.ts"], {
    env: fixtureEnv(database),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    async make(request) {
      child.stdin.write(`${JSON.stringify(request)}\n`);
      const { value, done } = await answers.next();
      if (done) throw new Error(`bench-sessions.ts exited:\n${stderr}`);
      const made = JSON.parse(value);
      if (made.error) throw new Error(`bench-sessions.ts failed: ${made.error}`);
      database.sessionRows = made.sessionRows;
      return made;
    },
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Fresh sessions, each logged out once. Made up front in batches, topped up before a measurement
 * that could run out (`ensure`); a request made after they ran out anyway reuses an old one (the
 * already-ended path) and is counted in `exhausted`, which fails the target's answers cell.
 */
function freshPool(database) {
  return {
    sessions: [],
    next: 0,
    exhausted: 0,
    take() {
      if (this.next >= this.sessions.length) this.exhausted++;
      return this.sessions[this.next++ % this.sessions.length];
    },
    async ensure(count) {
      this.sessions = this.sessions.slice(Math.min(this.next, this.sessions.length));
      this.next = 0;
      const missing = Math.ceil(count) - this.sessions.length;
      if (missing <= 0) return;
      log(`making ${missing + 100} fresh sessions`);
      this.sessions.push(...(await database.fixtures.make({ fresh: missing + 100 })).fresh);
    },
  };
}

async function makeSessions(database, { stored = 0, fresh = 0 } = {}) {
  if (stored) log(`storing ${stored.toLocaleString("en")} sessions`);
  const made = await database.fixtures.make({ stored, fresh, signedIn: true, revoked: true });
  const pool = freshPool(database);
  pool.sessions = made.fresh;
  return { signedIn: made.signedIn, revoked: made.revoked, fresh: pool };
}

let appsStarted = 0;

/** Starts the app (one instance, or two behind nginx) on a database, with extra environment if given. */
async function startApp(setup, database, extraEnv = {}) {
  // Numbered: a check may start two servers on one database.
  const output = openSync(join(work, `${setup.id}-${database.label}-${++appsStarted}.log`), "w");
  const env = (port) => {
    const base = {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: database.url,
      COOKIE_SECRET: cookieSecret,
      CLEANUP_INTERVAL: "0",
      ...extraEnv,
    };
    return { ...base, ...setup.counter?.serverEnv(base) };
  };
  if (setup.cluster) {
    const [port, ...instancePorts] = await Promise.all([freePort(), freePort(), freePort()]);
    const cluster = await startCluster({ instances: 2, port, instancePorts, env: env(port), output });
    return {
      url: cluster.url,
      database,
      instancePids: () => cluster.servers.map((server) => server.pid),
      proxyPids: () => processTree([process.pid], { comm: "nginx" }),
      stop: async () => {
        await cluster.stop();
        closeSync(output);
      },
    };
  }
  const server = await startServer({ env: env(await freePort()), output });
  return {
    url: server.url,
    database,
    instancePids: () => [server.pid],
    proxyPids: () => [],
    stop: async () => {
      await server.stop();
      closeSync(output);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/** The first answer of a target must be the expected one, or the benchmark would measure errors. */
async function checkTarget(app, target, fixtures) {
  const spec = target.request(fixtures);
  const { method = "GET", path, headers, body } = typeof spec === "function" ? spec() : spec;
  const response = await fetch(`${app.url}${path}`, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  const problem =
    response.status !== target.expect
      ? `status ${response.status}, expected ${target.expect}`
      : target.check?.(response, text);
  if (problem) throw new Error(`${target.name}: ${problem}\n${text.slice(0, 500)}`);
}

/** Resolves once the processes have used (almost) no CPU for 100 ms, or after 3 s. */
async function untilIdle(pids) {
  let last = cpuTimes(pids());
  for (let waited = 0; waited < 3_000; waited += 100) {
    await sleep(100);
    const now = cpuTimes(pids());
    if (cpuSpent(last, now) <= 10) return; // one clock tick
    last = now;
  }
}

/** One measurement of one target: load, then CPU of every process group, statements, answers. */
async function measure(setup, app, target, fixtures, load) {
  const groups = () => ({
    app: processTree(app.instancePids()),
    database: setup.databasePids(),
    proxy: app.proxyPids(),
  });
  const cpuOf = (pids) => Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, cpuTimes(list)]));
  const counted = () => setup.counter?.snapshot(app.instancePids(), [app.database.name]);

  const statementsBefore = await counted();
  const exhaustedBefore = fixtures.fresh.exhausted;
  const cpuBefore = cpuOf(groups());
  const generatorBefore = process.cpuUsage();
  const request = target.request(fixtures);
  const { connections } = options;
  const result =
    load.rate === undefined
      ? await saturate(app.url, { request, connections, duration: load.duration })
      : await paced(app.url, {
          request,
          connections,
          rate: load.rate,
          duration: load.duration,
          onAnswer: load.onAnswer,
        });
  const generator = process.cpuUsage(generatorBefore);
  // autocannon stops with requests in flight; the server still answers them (and runs their
  // queries): wait for that, so their cost is counted here and not in the next target's figures.
  await untilIdle(() => groups().app);
  const cpuAfter = cpuOf(groups());
  const statementsAfter = await counted();

  // Per request sent: the ones unanswered when the time was up cost the server as much.
  const n = result.sent;
  const spent = (name) => cpuSpent(cpuBefore[name], cpuAfter[name]) / n;
  return {
    ...result,
    unexpected: result.requests - (result.statuses[target.expect] ?? 0) + result.errors,
    exhausted: fixtures.fresh.exhausted - exhaustedBefore,
    cpuMsPerRequest: {
      app: spent("app"),
      database: spent("database"),
      proxy: spent("proxy"),
      loadGenerator: (generator.user + generator.system) / 1000 / n,
    },
    statements: statementsBefore && perRequest(statementsBefore, statementsAfter, n),
  };
}

/** Runs every target: checked, warmed up, then the saturated rounds and the fixed-rate rounds. */
async function runRounds(setup, app, fixtures) {
  for (const target of TARGETS) await checkTarget(app, target, fixtures);
  const lastRps = {};
  for (const target of TARGETS) {
    log(`warming up ${target.name}`);
    lastRps[target.id] = (await measure(setup, app, target, fixtures, { duration: options.warmup })).rps;
  }
  // Enough fresh sessions for a measurement at the last pace seen, with a margin.
  const freshNeeded = (target, rate, duration) =>
    target.consumesFreshSessions ? Math.ceil(rate * duration * 1.3) + 200 : 0;

  const saturated = Object.fromEntries(TARGETS.map((target) => [target.id, []]));
  for (const target of TARGETS)
    await fixtures.fresh.ensure(options.rounds * freshNeeded(target, lastRps[target.id], options.duration));
  for (let round = 1; round <= options.rounds; round++) {
    log(`round ${round}/${options.rounds} at ${options.connections} connections`);
    for (const target of TARGETS) {
      await fixtures.fresh.ensure(freshNeeded(target, lastRps[target.id], options.duration));
      const measured = await measure(setup, app, target, fixtures, { duration: options.duration });
      lastRps[target.id] = measured.rps;
      saturated[target.id].push(measured);
    }
  }

  const rate = Math.max(1, Math.round(median(saturated.baseline.map((m) => m.rps)) / 2));
  const atRate = Object.fromEntries(TARGETS.map((target) => [target.id, []]));
  for (const target of TARGETS)
    await fixtures.fresh.ensure(options.rounds * freshNeeded(target, rate, options.rateDuration));
  for (let round = 1; round <= options.rounds; round++) {
    log(`round ${round}/${options.rounds} at ${rate} req/s`);
    for (const target of TARGETS) {
      await fixtures.fresh.ensure(freshNeeded(target, rate, options.rateDuration));
      atRate[target.id].push(await measure(setup, app, target, fixtures, { rate, duration: options.rateDuration }));
    }
  }
  return { saturated, atRate, rate };
}

// ---------------------------------------------------------------------------------------------
// Summaries and verdicts.

const round2 = (value) => Math.round(value * 100) / 100;

/** Statements per request over all of a target's measurements, weighted by their requests. */
function statementsOver(measurements) {
  if (measurements.some((m) => !m.statements)) return undefined;
  const requests = measurements.reduce((n, m) => n + m.sent, 0);
  const weighted = (get) => measurements.reduce((sum, m) => sum + get(m.statements) * m.sent, 0) / requests;
  const perKey = (field) => {
    const keys = new Set(measurements.flatMap((m) => Object.keys(m.statements[field])));
    return Object.fromEntries([...keys].map((key) => [key, weighted((s) => s[field][key] ?? 0)]));
  };
  return {
    queries: weighted((s) => s.queries),
    writes: weighted((s) => s.writes),
    rowsWritten: weighted((s) => s.rowsWritten),
    other: perKey("other"),
    statements: perKey("statements"),
  };
}

function summarize(setup, { saturated, atRate, rate }) {
  // A ratio to the baseline is taken within each round, then the median over rounds.
  const ratio = (list, baseline, get) => median(list.map((m, i) => get(m) / get(baseline[i])));
  return TARGETS.map((target) => {
    const sat = saturated[target.id];
    const fixed = atRate[target.id];
    const all = [...sat, ...fixed];
    const summary = {
      id: target.id,
      name: target.name,
      rps: median(sat.map((m) => m.rps)),
      rpsRatio: ratio(sat, saturated.baseline, (m) => m.rps),
      p50: median(sat.map((m) => m.p50)),
      p99: median(sat.map((m) => m.p99)),
      atRate: {
        offeredRps: rate,
        rps: median(fixed.map((m) => m.rps)),
        p50: median(fixed.map((m) => m.p50)),
        p99: median(fixed.map((m) => m.p99)),
        p99Ratio: ratio(fixed, atRate.baseline, (m) => m.p99),
        cpuMsPerRequest: median(fixed.map((m) => m.cpuMsPerRequest.app)),
      },
      cpuMsPerRequest: median(sat.map((m) => m.cpuMsPerRequest.app)),
      cpuRatio: ratio(sat, saturated.baseline, (m) => m.cpuMsPerRequest.app),
      databaseCpuMsPerRequest: median(sat.map((m) => m.cpuMsPerRequest.database)),
      proxyCpuMsPerRequest: median(sat.map((m) => m.cpuMsPerRequest.proxy)),
      loadGeneratorCpuMsPerRequest: median(sat.map((m) => m.cpuMsPerRequest.loadGenerator)),
      statements: statementsOver(all),
      unexpectedAnswers: all.reduce((n, m) => n + m.unexpected, 0),
      exhaustedFreshSessions: all.reduce((n, m) => n + m.exhausted, 0),
      rounds: { saturated: sat, atRate: fixed },
    };
    summary.verdicts = verdicts(setup, target, summary);
    return summary;
  });
}

function verdicts(setup, target, s) {
  const goals = target.goals;
  if (!goals) return {};
  const within = (value, [min, max]) => round2(value) >= min && round2(value) <= max;
  const range = ([min, max]) => (min === max ? `= ${min}` : `${min}–${max}`);
  const rpsGoal = setup.postgres ? (goals.rpsPostgres ?? goals.rps) : goals.rps;
  const result = {
    rps: { goal: `≥ ${rpsGoal}`, ok: round2(s.rpsRatio) >= rpsGoal },
    cpu: { goal: `≤ ${goals.cpu}`, ok: round2(s.cpuRatio) <= goals.cpu },
    p99AtRate: { goal: `≤ ${P99_AT_RATE_GOAL}`, ok: round2(s.atRate.p99Ratio) <= P99_AT_RATE_GOAL },
    answers: { goal: "all as expected", ok: s.unexpectedAnswers === 0 && s.exhaustedFreshSessions === 0 },
  };
  if (s.statements) {
    result.queries = { goal: range(goals.queries), ok: within(s.statements.queries, goals.queries) };
    if (goals.writes) result.writes = { goal: range(goals.writes), ok: within(s.statements.writes, goals.writes) };
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The table.

function cell(text, verdict) {
  return verdict ? `${text} ${verdict.ok ? "✓" : "✗"} (${verdict.goal})` : text;
}

function table(setup, run) {
  const { targets, rate } = run;
  const elsewhere = setup.postgres;
  const header = [
    "target",
    "req/s",
    "× baseline",
    `p50 / p99 ms, ${options.connections} conn.`,
    `p50 / p99 ms at ${rate} req/s`,
    "p99 × baseline",
    "CPU ms/req",
    "CPU × baseline",
    ...(elsewhere ? [setup.cluster ? "Postgres + nginx CPU ms/req" : "Postgres CPU ms/req"] : []),
    "queries/req",
    "writes/req",
  ];
  const rows = targets.map((s) => {
    const v = s.verdicts;
    const statements = s.statements;
    return [
      s.id === "baseline" ? s.name : `${s.name}${v.answers?.ok === false ? " ✗ answers" : ""}`,
      Math.round(s.rps).toString(),
      cell(s.rpsRatio.toFixed(2), v.rps),
      `${s.p50} / ${s.p99}`,
      `${s.atRate.p50.toFixed(1)} / ${s.atRate.p99.toFixed(1)}`,
      cell(s.atRate.p99Ratio.toFixed(2), v.p99AtRate),
      s.cpuMsPerRequest.toFixed(2),
      cell(s.cpuRatio.toFixed(2), v.cpu),
      ...(elsewhere ? [(s.databaseCpuMsPerRequest + s.proxyCpuMsPerRequest).toFixed(2)] : []),
      statements ? cell(statements.queries.toFixed(2), v.queries) : "not counted",
      statements ? cell(statements.writes.toFixed(2), v.writes) : "not counted",
    ];
  });
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function notes(setup, run) {
  const lines = [];
  const baseline = run.targets.find((s) => s.id === "baseline");
  lines.push(
    `Baseline ${Math.round(baseline.rps)} req/s; fixed rate ${run.rate} req/s. ` +
      `Server RSS after the run: ${run.rssMb.join(" + ")} MB (goal < ${RSS_GOAL_MB} MB per instance ` +
      `${run.rssOk ? "✓" : "✗"}). Statements counted by ${setup.counter?.method ?? "nothing (not available)"}.`,
  );
  for (const s of run.targets) {
    const other = Object.entries(s.statements?.other ?? {}).filter(([, perRequest]) => perRequest >= 0.005);
    if (other.length) {
      lines.push(
        `${s.name}: besides queries, ${other.map(([kind, n]) => `${kind} ${n.toFixed(2)}`).join(", ")} per request.`,
      );
    }
    if (s.atRate.rps < s.atRate.offeredRps * 0.95) {
      lines.push(`${s.name}: served only ${Math.round(s.atRate.rps)} of the ${s.atRate.offeredRps} req/s offered.`);
    }
    if (s.unexpectedAnswers) lines.push(`${s.name}: ${s.unexpectedAnswers} answers with an unexpected status.`);
    if (s.exhaustedFreshSessions) lines.push(`${s.name}: ran out of fresh sessions ${s.exhaustedFreshSessions} times.`);
  }
  for (const check of run.checks) lines.push(...check.lines);
  return lines;
}

/** A check's measurements (its table, if it has one) and its goals, each with "met: yes/no". */
function checkReport(run, check) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const goals = [
    line(["goal", "target", "measured", "met"]),
    line(["---", "---", "---", "---"]),
    ...check.goals.map((g) => line([g.name, g.goal, g.measured, g.met ? "yes" : "**no**"])),
  ];
  const verdict = `${check.id}: ${check.ok ? "every goal met" : "goals NOT met"}`;
  return [
    `#### ${run.title}: ${check.name}`,
    "",
    ...(check.table ? [check.table, ""] : []),
    ...goals,
    "",
    verdict,
  ].join("\n");
}

/** Which statements each target ran, per request (the texts in full are in latest.json). */
function statementList(run) {
  const lines = [];
  for (const s of run.targets) {
    const ran = Object.entries(s.statements?.statements ?? {}).filter(([, perRequest]) => perRequest >= 0.005);
    if (!ran.length) continue;
    lines.push(`${s.name}:`);
    for (const [sql, n] of ran) {
      // The column lists are long and alike: what tells statements apart is the rest.
      const text = sql.replace(/\s+/g, " ").replace(/^SELECT .*? FROM /, "SELECT … FROM ");
      lines.push(`  ${n.toFixed(2)} × ${text.length > 140 ? `${text.slice(0, 140)}…` : text}`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------

async function runSetup(setup) {
  log(`${setup.title}: preparing`);
  const mainDatabase = await setup.createDatabase("main");
  const fixtures = await makeSessions(mainDatabase, { stored: 100, fresh: 2000 });
  const app = await startApp(setup, mainDatabase);
  const databases = [mainDatabase];
  try {
    const measured = await runRounds(setup, app, fixtures);
    const rssMb = app.instancePids().map((pid) => processTree([pid]).reduce((sum, p) => sum + memoryMb(p), 0));
    const checks = [];
    const context = {
      options,
      setup: { id: setup.id, cluster: setup.cluster, postgres: setup.postgres },
      log,
      rate: measured.rate,
      main: { app, fixtures, database: mainDatabase },
      createDatabase: async (label) => {
        const created = await setup.createDatabase(label);
        databases.push(created);
        return created;
      },
      makeSessions,
      startApp: (database, extraEnv) => startApp(setup, database, extraEnv),
      warmUp: (onApp, target, onFixtures) => measure(setup, onApp, target, onFixtures, { duration: options.warmup }),
      measurePaced: (onApp, target, rate, onFixtures, { duration = options.rateDuration, onAnswer } = {}) =>
        measure(setup, onApp, target, onFixtures, { rate, duration, onAnswer }),
    };
    for (const check of CHECKS.filter((c) => options.checks.includes(c.id) && c.appliesTo(setup))) {
      log(`check: ${check.name}`);
      const result = await check.run(context);
      checks.push({ id: check.id, name: check.name, ok: result.goals.every((g) => g.met), ...result });
    }
    const targets = summarize(setup, measured);
    const verdictsMet = targets.every((s) => Object.values(s.verdicts).every((v) => v.ok));
    const rssOk = rssMb.every((mb) => mb < RSS_GOAL_MB);
    return {
      id: setup.id,
      title: setup.title,
      database: setup.databaseDescription,
      instances: app.instancePids().length,
      rate: measured.rate,
      rssMb,
      rssOk,
      targets,
      checks,
      allGoalsMet: verdictsMet && rssOk && checks.every((c) => c.ok),
    };
  } finally {
    await app.stop();
    for (const created of databases) await created.close();
  }
}

// ---------------------------------------------------------------------------------------------
// --profile: instead of the rounds, one profiled run per target, for whoever makes them faster.

const PROFILER = pathToFileURL(join(projectRoot, "scripts/bench/cpu-profiler.mjs")).href;

async function profileSetup(setup) {
  const dir = join(work, `profiles-${setup.id}`);
  mkdirSync(dir);
  const kept = join("bench-results", "profiles");
  mkdirSync(kept, { recursive: true });
  // The profiler takes SIGUSR2, so statements are not counted in this mode.
  const profiled = { ...setup, counter: undefined };
  const mainDatabase = await setup.createDatabase("main");
  const fixtures = await makeSessions(mainDatabase, { stored: 100, fresh: 2000 });
  const app = await startApp(profiled, mainDatabase, { NODE_OPTIONS: `--import=${PROFILER}`, BENCH_PROFILE_DIR: dir });
  const toggle = () => app.instancePids().forEach((pid) => process.kill(pid, "SIGUSR2"));
  const lines = [`### CPU profiles: ${setup.title}`, ""];
  try {
    for (const target of TARGETS) await checkTarget(app, target, fixtures);
    const lastRps = {};
    for (const target of TARGETS) {
      log(`warming up ${target.name}`);
      lastRps[target.id] = (await measure(profiled, app, target, fixtures, { duration: options.warmup })).rps;
    }
    for (const [i, target] of TARGETS.entries()) {
      if (target.consumesFreshSessions) await fixtures.fresh.ensure(lastRps[target.id] * options.duration * 1.3 + 200);
      log(`profiling ${target.name}`);
      toggle();
      const measured = await measure(profiled, app, target, fixtures, { duration: options.duration });
      toggle();
      const profiles = [];
      for (const pid of app.instancePids()) {
        const file = join(dir, `${pid}-${i + 1}.cpuprofile`);
        while (!existsSync(file)) await sleep(20);
        const keptAs = join(kept, `${setup.id}-${target.id}-${pid}.cpuprofile`);
        copyFileSync(file, keptAs);
        profiles.push(JSON.parse(readFileSync(file, "utf8")));
      }
      const summary = summarizeProfiles(profiles);
      const percent = ({ share }) => `${(share * 100).toFixed(1)}%`;
      lines.push(
        `#### ${target.name}: ${measured.cpuMsPerRequest.app.toFixed(2)} ms CPU per request, ` +
          `${(summary.totalMs / measured.sent).toFixed(2)} ms of it sampled`,
        "",
        `By area (self time): ${summary.areas.map((a) => `${a.name} ${percent(a)}`).join(", ")}`,
        "",
        ...summary.frames.map((f) => `    ${percent(f).padStart(6)}  ${f.name}`),
        "",
      );
    }
  } finally {
    await app.stop();
    await mainDatabase.close();
  }
  lines.push(`Profiles (Chrome DevTools, speedscope): ${kept}/${setup.id}-*.cpuprofile`);
  return lines.join("\n");
}

if (flags["no-build"]) log("using the existing build (--no-build)");
else if (!flags.build && buildIsCurrent()) log("the build in .next is newer than every source file: not rebuilding");
else {
  log("building (npm run build)…");
  execFileSync("npm", ["run", "--silent", "build"], { stdio: ["ignore", "ignore", "inherit"] });
}

const machine = { cpus: cpus().length, loadAverageAtStart: loadavg().map(round2) };
const postgres = setupIds.some((id) => id !== "sqlite") ? await postgresServer() : undefined;
const runs = [];
try {
  for (const id of setupIds) {
    const setup = await makeSetup(id, postgres);
    try {
      if (flags.profile) {
        console.log(`\n${await profileSetup(setup)}\n`);
        continue;
      }
      const run = await runSetup(setup);
      runs.push(run);
      const noteList = notes(setup, run).map((note) => `- ${note}`);
      console.log(`\n### ${run.title}\n\n${table(setup, run)}\n\n${noteList.join("\n")}\n`);
      for (const check of run.checks) console.log(`${checkReport(run, check)}\n`);
      console.log(`Statements per request:\n${statementList(run).join("\n")}\n`);
    } finally {
      await setup.counter?.close();
    }
  }
} finally {
  await postgres?.stop();
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}
if (flags.profile) process.exit(0);
machine.loadAverageAtEnd = loadavg().map(round2);

const commit = (() => {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return undefined;
  }
})();
const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
console.log(
  `${options.rounds} interleaved rounds of ${options.duration} s at ${options.connections} connections and ` +
    `${options.rateDuration} s at the fixed rate; node ${process.version}, ${machine.cpus} CPUs, load average ` +
    `${machine.loadAverageAtStart[0]} at the start and ${machine.loadAverageAtEnd[0]} at the end; ${minutes} min` +
    (commit ? `; commit ${commit}` : ""),
);

for (const run of runs) {
  const targetsMet = run.targets.every((t) => Object.values(t.verdicts).every((v) => v.ok)) && run.rssOk;
  const checks = run.checks.map((c) => `${c.id} ${c.ok ? "yes" : "no"}`);
  console.log(
    `${run.title}: every goal met: ${run.allGoalsMet ? "yes" : "no"} (targets and RSS ${targetsMet ? "yes" : "no"}` +
      `${checks.length ? `; checks: ${checks.join(", ")}` : ""})`,
  );
}

mkdirSync("bench-results", { recursive: true });
const report = { date: new Date().toISOString(), commit, node: process.version, machine, options, runs };
writeFileSync("bench-results/latest.json", `${JSON.stringify(report, null, 2)}\n`);
console.log("wrote bench-results/latest.json");
