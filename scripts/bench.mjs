#!/usr/bin/env node
// `npm run bench`: builds the app (skip with --no-build when .next is current), starts the production
// server (server.mjs) on a fresh SQLite database and drives each endpoint with autocannon for a fixed
// time at 32 connections. Every figure is also given as a ratio to GET /health/alive measured in the
// same run, because absolute numbers depend on the machine. Then measures browser logout again with
// 100 and with 100,000 sessions stored, to show a logout's cost does not grow with the table.
// Prints a table and writes bench-results/latest.json.
//
// Environment: BENCH_DURATION (seconds per target, default 10), BENCH_CONNECTIONS (default 32),
// BENCH_LOGOUTS (browser logouts per scaling measurement, default 2000).

import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { prisma, startServer } from "./serve.mjs";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SCALING_LOGOUTS = Number(process.env.BENCH_LOGOUTS ?? 2000);
const TARGETS = { read: 0.5, write: 0.25, p99: 2, scaling: 1.2, rssMb: 300 };

const work = mkdtempSync(join(tmpdir(), "logout-bench-"));
/** Runs a command, showing its output only when it fails. */
function run(command, args, env) {
  try {
    execFileSync(command, args, { env, stdio: "pipe", encoding: "utf8" });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

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

/** A migrated, empty database file and the environment the server and the fixtures share. */
async function freshEnvironment(name) {
  const databaseFile = join(work, `${name}.db`);
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `file:${databaseFile}`,
    COOKIE_SECRET: randomBytes(32).toString("base64url"),
    CLEANUP_INTERVAL: "0",
  };
  prisma(["migrate", "deploy"], env);
  return { env, url: env.PUBLIC_BASE_URL };
}

async function startBenchServer({ env }, name) {
  // The request log goes to a file, as it would go to a log collector: written, not dropped.
  return startServer({ env, output: openSync(join(work, `${name}.log`), "w") });
}

/** Resident memory of a process (VmRSS), or its peak so far (VmHWM), in MB. */
function memoryMb(pid, field = "VmHWM") {
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return Math.round(kb / 1024);
}

function fixtures(env, ...args) {
  run("npx", ["tsx", "scripts/bench-sessions.ts", ...args], env);
}

function freshSessions(env, count) {
  const file = join(work, `fresh-${Date.now()}.json`);
  fixtures(env, "fresh", String(count), file);
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * A request spec that logs out a different fresh session every time: the session's cookie, then
 * its own logout URL. Running out would measure the idempotent path instead, so it is counted.
 */
function browserLogouts(sessions) {
  const state = { next: 0, exhausted: 0 };
  const request = {
    method: "GET",
    setupRequest: (req) => {
      const session = sessions[state.next % sessions.length];
      if (state.next++ >= sessions.length) state.exhausted++;
      return { ...req, path: session.logoutPath, headers: { accept: "application/json", cookie: session.cookie } };
    },
  };
  return { request, state };
}

async function measure(url, options) {
  const result = await autocannon({ url, connections: CONNECTIONS, ...options });
  const failures = result.errors + result.timeouts + result["1xx"] + result["4xx"] + result["5xx"];
  return {
    requests: result.requests.total ?? result.totalCompletedRequests,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: Number(result.latency.average.toFixed(2)),
    failures,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

async function json(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

// ---------------------------------------------------------------------------------------------

if (!process.argv.includes("--no-build")) {
  console.log("Building (npm run build; pass --no-build to reuse .next)…");
  run("npm", ["run", "--silent", "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
}

const main = await freshEnvironment("main");
fixtures(main.env, "stored", "100");
const server = await startBenchServer(main, "main");
const { url } = main;
const warm = (options) => measure(url, { ...options, duration: 2 });

// One signed-in browser for the read endpoints, one revoked session token for the idempotent path.
const [reader, revoked] = freshSessions(main.env, 2);
await json(`${url}/self-service/logout/api`, {
  method: "DELETE",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ session_token: revoked.token }),
});
const withCookie = { headers: { cookie: reader.cookie, accept: "application/json" } };
const revokedBody = {
  method: "DELETE",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ session_token: revoked.token }),
};

const targets = [
  { name: "GET /health/alive (baseline)", kind: "baseline", options: { requests: [{ path: "/health/alive" }] } },
  {
    name: "GET /sessions/whoami (cookie)",
    kind: "read",
    options: { requests: [{ path: "/sessions/whoami", ...withCookie }] },
  },
  {
    name: "GET /self-service/logout/browser",
    kind: "read",
    options: { requests: [{ path: "/self-service/logout/browser", ...withCookie }] },
  },
  {
    name: "DELETE /self-service/logout/api (revoked)",
    kind: "write",
    options: { requests: [{ path: "/self-service/logout/api", ...revokedBody }] },
  },
];

const results = [];
for (const target of targets) {
  await warm(target.options);
  const result = await measure(url, { ...target.options, duration: DURATION });
  results.push({ name: target.name, kind: target.kind, ...result, rssAfterMb: memoryMb(server.pid, "VmRSS") });
  console.log(`measured ${target.name}: ${result.rps} req/s`);
}

// Browser logout of fresh sessions: enough of them for the baseline's pace, made up front.
const baseline = results[0];
const sessions = freshSessions(main.env, Math.ceil(baseline.rps * (DURATION + 2) * 1.2) + 500);
const logouts = browserLogouts(sessions);
await warm({ requests: [logouts.request] });
const logoutResult = await measure(url, { requests: [logouts.request], duration: DURATION });
results.push({
  name: "GET /self-service/logout (fresh sessions)",
  kind: "write",
  ...logoutResult,
  rssAfterMb: memoryMb(server.pid, "VmRSS"),
  exhausted: logouts.state.exhausted,
});
console.log(`measured browser logout: ${logoutResult.rps} req/s`);
const rssMb = memoryMb(server.pid);
await server.stop();

for (const result of results) {
  result.rpsRatio = Number((result.rps / baseline.rps).toFixed(2));
  result.p99Ratio = Number((result.p99 / baseline.p99).toFixed(2));
  const minimum = result.kind === "read" ? TARGETS.read : result.kind === "write" ? TARGETS.write : 0;
  result.meetsTarget =
    result.rpsRatio >= minimum && result.p99Ratio <= TARGETS.p99 && result.failures === 0 && !result.exhausted;
}

// ---------------------------------------------------------------------------------------------
// The same browser logout with 100 and with 100,000 sessions stored, on one server and database.

const scaling = await freshEnvironment("scaling");
fixtures(scaling.env, "stored", "100");
const scalingServer = await startBenchServer(scaling, "scaling");
const measureLogouts = async () => {
  const pool = freshSessions(scaling.env, SCALING_LOGOUTS + 300);
  const { request } = browserLogouts(pool);
  await measure(scaling.url, { requests: [request], amount: 300 }); // warm-up, its own sessions
  return measure(scaling.url, { requests: [request], amount: SCALING_LOGOUTS });
};
const at100 = await measureLogouts();
console.log("storing 99,900 more sessions…");
fixtures(scaling.env, "stored", "99900");
const at100k = await measureLogouts();
const scalingRssMb = memoryMb(scalingServer.pid);
await scalingServer.stop();
const latencyRatio = Number((at100k.mean / at100.mean).toFixed(2));

// ---------------------------------------------------------------------------------------------

const pad = (value, width) => String(value).padStart(width);
console.log(`\n${CONNECTIONS} connections, ${DURATION} s per target, node ${process.version}\n`);
console.log(
  `${"target".padEnd(44)}${pad("req/s", 8)}${pad("ratio", 7)}${pad("p50", 6)}${pad("p99", 6)}${pad("p99×", 6)}${pad("fail", 6)}${pad("RSS", 6)}  ok`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(44)}${pad(r.rps, 8)}${pad(r.rpsRatio, 7)}${pad(r.p50, 6)}${pad(r.p99, 6)}${pad(r.p99Ratio, 6)}${pad(r.failures, 6)}${pad(r.rssAfterMb, 6)}  ${r.meetsTarget ? "yes" : "NO"}`,
  );
}
const rssOk = Math.max(rssMb, scalingRssMb) < TARGETS.rssMb;
const scalingOk = latencyRatio < TARGETS.scaling && at100.failures + at100k.failures === 0;
console.log(
  `\npeak server RSS: ${rssMb} MB (scaling run ${scalingRssMb} MB), target < ${TARGETS.rssMb} MB: ${rssOk ? "yes" : "NO"}`,
);
console.log(
  `browser logout, ${SCALING_LOGOUTS} fresh sessions: mean ${at100.mean} ms with 100 stored, ${at100k.mean} ms with 100,000 stored` +
    ` → ratio ${latencyRatio} (target < ${TARGETS.scaling}): ${scalingOk ? "yes" : "NO"}`,
);

mkdirSync("bench-results", { recursive: true });
const report = {
  date: new Date().toISOString(),
  node: process.version,
  connections: CONNECTIONS,
  durationSeconds: DURATION,
  targets: TARGETS,
  results,
  peakRssMb: rssMb,
  scaling: { logouts: SCALING_LOGOUTS, at100, at100k, meanLatencyRatio: latencyRatio, peakRssMb: scalingRssMb },
  allTargetsMet: results.every((r) => r.meetsTarget) && rssOk && scalingOk,
};
writeFileSync("bench-results/latest.json", `${JSON.stringify(report, null, 2)}\n`);
console.log("\nwrote bench-results/latest.json");
rmSync(work, { recursive: true, force: true });
