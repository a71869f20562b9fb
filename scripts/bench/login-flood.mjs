// The login flood check (issue 13): a flood of wrong-password sign-ins must not stall anyone's
// whoami or logout. scrypt and the session cookie's unsealing share libuv's thread pool; the app
// bounds the hashing (half the cores, a short queue, 503 past it; wrong passwords at most a quarter
// of the cores' time), throttles guessing (429 per address and per identifier, each answered after
// RATE_LIMIT_REFUSAL_DELAY), starts sign-in requests at most one per 25 ms (server.mjs) and, on
// SQLite, lets requests take turns between statements; this measures whether that is enough.
//
// A server of its own on a fresh database, with the abuse limits on at their defaults (whatever the
// benchmark's environment says) and TRUSTED_PROXIES=127.0.0.1, so that the flood can come from
// several addresses through X-Forwarded-For. Two probes, each at PROBE_RATE requests per second
// from the open loop of load.mjs and each request with a cookie the server has never seen (so each
// unseals on the thread pool): whoami, and browser logout of a fresh session. They run for
// FLOOD_SECONDS without the flood, then for FLOOD_SECONDS during it: FLOOD_CONCURRENCY clients in a
// process of their own (this file, run as a script), each from one of FLOOD_ADDRESSES, each with an
// API login flow, submitting wrong passwords as fast as answers come back, ignoring Retry-After, as
// an attacker would. Half of them guess: they try FLOOD_IDENTIFIERS unknown identifiers in turn, so
// each identifier's backoff is met and answered 429. The other half stuff credentials: a new
// identifier for every submission, which only the address's limit stops, so hashing stays at its
// bound for the whole flood (an unknown identifier costs the same scrypt as a wrong password: the
// app verifies against a decoy hash). Goals: p50 ≤ 2× and p99 ≤ 3× the run without the flood, the
// flood answered 429 once over the limits, no 5xx among the probes.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { Agent } from "node:http";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { paced, requestOnce } from "./load.mjs";
import { cpuSpent, cpuTimes, processTree } from "./processes.mjs";
import { TARGETS } from "./targets.mjs";

const FLOOD_SECONDS = 20;
const FLOOD_CONCURRENCY = 16;
// TEST-NET-2 (RFC 5737): addresses nobody uses.
const FLOOD_ADDRESSES = Array.from({ length: 8 }, (_, i) => `198.51.100.${i + 1}`);
// The guessing half's: few enough that each gets past LOGIN_BACKOFF_AFTER failures while wrong
// passwords are hashed at a quarter of the cores (about 30 checks for the guessing half in 20 s on
// 2 cores), and is then tried again before its backoff (1 s, 2 s, 4 s, …) has run out.
const FLOOD_IDENTIFIERS = Array.from({ length: 4 }, (_, i) => `flood-${i + 1}@example.com`);
const PROBE_RATE = 20;
/** The app's default LOGIN_BACKOFF_AFTER: failures of one identifier before each further one waits. */
const BACKOFF_AFTER = 5;
const P50_GOAL = 2;
const P99_GOAL = 3;

const FRESH_LOGOUT = TARGETS.find((target) => target.id === "logout-fresh");
const FRESH_WHOAMI = {
  id: "whoami-fresh",
  name: "GET /sessions/whoami (a new cookie each)",
  expect: 200,
  consumesFreshSessions: true,
  request:
    ({ fresh }) =>
    () => ({ path: "/sessions/whoami", headers: { accept: "application/json", cookie: fresh.take().cookie } }),
};
const PROBES = [FRESH_WHOAMI, FRESH_LOGOUT];

/** A new API login flow for a client at `address`; its id. */
async function loginFlow(url, address, agent) {
  const answer = await requestOnce(new URL("/self-service/login/api", url), {
    headers: { accept: "application/json", "x-forwarded-for": address },
    agent,
  });
  return answer.status === 200 ? JSON.parse(answer.text).id : undefined;
}

function wrongPassword(url, flow, address, identifier, agent) {
  return requestOnce(new URL(`/self-service/login?flow=${flow}`, url), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ method: "password", identifier, password: `wrong-${Math.random()}` }),
    agent,
  });
}

/** The flood, until `seconds` have passed: what its submissions were answered. */
async function flood(url, seconds) {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const tally = { submissions: 0, statuses: {}, errors: 0, flowsCreated: 0, flowRefusals: 0, first429At: undefined };
  // Wrong passwords checked (400) per identifier: past BACKOFF_AFTER, the limits should answer 429.
  const failures = new Map();
  const client = async (i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const address = FLOOD_ADDRESSES[i % FLOOD_ADDRESSES.length];
    const guessing = i < FLOOD_CONCURRENCY / 2;
    let flow;
    try {
      for (let k = 0; performance.now() < deadline; k++) {
        try {
          if (!flow) {
            flow = await loginFlow(url, address, agent);
            if (!flow) {
              tally.flowRefusals++;
              continue;
            }
            tally.flowsCreated++;
          }
          const identifier = guessing
            ? FLOOD_IDENTIFIERS[(i + k) % FLOOD_IDENTIFIERS.length]
            : `stuffing-${i}-${k}@example.com`;
          const { status } = await wrongPassword(url, flow, address, identifier, agent);
          tally.submissions++;
          tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
          if (status === 429) tally.first429At ??= (performance.now() - started) / 1000;
          if (status === 400) failures.set(identifier, (failures.get(identifier) ?? 0) + 1);
          // An expired or unknown flow: start another, as a client would.
          if (status === 404 || status === 410) flow = undefined;
        } catch {
          tally.errors++;
          await sleep(10);
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, (_, i) => client(i)));
  tally.seconds = (performance.now() - started) / 1000;
  tally.mostFailuresOfOneIdentifier = Math.max(0, ...failures.values());
  return tally;
}

/**
 * The flood from a process of its own, as an attacker's would be: its clients' work (connections,
 * parsing answers) must not hold up the probes' event loop and so inflate their latencies. The
 * process is started and ready (Node and its modules loaded: a third of a second of a core here)
 * before the probes start, so that loading it is not counted as the server's latency; the returned
 * function starts the flood and resolves to its tally.
 */
async function floodProcess(url, seconds) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), url, String(seconds)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = once(child, "exit");
  if ((await lines.next()).value !== "ready") throw new Error("the flood's process did not start");
  return async () => {
    child.stdin.end("go\n");
    const { value } = await lines.next();
    const [code] = await exited;
    if (code !== 0) throw new Error(`the flood's process exited with ${code}`);
    return JSON.parse(value);
  };
}

/**
 * Both probes at once, each at PROBE_RATE for FLOOD_SECONDS, with `alongside` (the flood) if given.
 * Also how busy the server was: its processes' CPU time over the wall time (2 = two cores).
 */
const SESSIONS_PER_RUN = PROBES.length * PROBE_RATE * FLOOD_SECONDS * 1.05 + 100;

async function probe(context, app, fixtures, alongside) {
  await fixtures.fresh.ensure(SESSIONS_PER_RUN);
  const pids = processTree(app.instancePids());
  const cpuBefore = cpuTimes(pids);
  const mainBefore = cpuTimes(app.instancePids(), { mainThread: true });
  const started = performance.now();
  const [alongsideResult, ...measured] = await Promise.all([
    alongside?.(),
    ...PROBES.map((target) =>
      paced(app.url, {
        request: target.request(fixtures),
        rate: PROBE_RATE,
        duration: FLOOD_SECONDS,
        connections: context.options.connections,
      }),
    ),
  ]);
  const wall = performance.now() - started;
  const serverCores = cpuSpent(cpuBefore, cpuTimes(pids)) / wall;
  const mainThreadCores = cpuSpent(mainBefore, cpuTimes(app.instancePids(), { mainThread: true })) / wall;
  const probes = Object.fromEntries(
    PROBES.map((target, i) => {
      const { p50, p99, requests, sent, statuses, errors } = measured[i];
      const fiveHundreds = Object.entries(statuses).reduce((n, [code, count]) => n + (code >= 500 ? count : 0), 0);
      const unexpected = sent - (statuses[target.expect] ?? 0);
      return [target.id, { p50, p99, requests, sent, statuses, errors, fiveHundreds, unexpected }];
    }),
  );
  return { probes, serverCores, mainThreadCores, loadAverage: loadavg()[0], alongside: alongsideResult };
}

/** The first answers must be the expected ones, or the check would measure errors. */
async function checkFirstAnswers(app, fixtures) {
  await fixtures.fresh.ensure(2);
  for (const target of PROBES) {
    const { path, headers } = target.request(fixtures)();
    const { status, text } = await requestOnce(new URL(path, app.url), { headers });
    if (status !== target.expect) throw new Error(`${target.name}: ${status}, expected ${target.expect}\n${text}`);
  }
  // From an address the flood does not use: the flood starts with clean limits.
  const address = "203.0.113.1";
  const flow = await loginFlow(app.url, address);
  if (!flow) throw new Error("the flood's login flow could not be created");
  const { status, text } = await wrongPassword(app.url, flow, address, "check@example.com");
  if (status !== 400) throw new Error(`a wrong password: ${status}, expected 400\n${text}`);
}

export const loginFlood = {
  id: "login-flood",
  name: "whoami and logout during a login flood",
  appliesTo: () => true,
  async run(context) {
    const database = await context.createDatabase("flood");
    const fixtures = await context.makeSessions(database);
    // The limits at their defaults: none of the benchmark's own environment's settings of them.
    const limitsFromEnvironment = Object.keys(process.env).filter((name) => /^(RATE_LIMIT|LOGIN_BACKOFF)/.test(name));
    const app = await context.startApp(database, {
      ...Object.fromEntries(limitsFromEnvironment.map((name) => [name, undefined])),
      RATE_LIMITS: "on",
      TRUSTED_PROXIES: "127.0.0.1",
    });
    try {
      await checkFirstAnswers(app, fixtures);
      const warmup = Math.ceil(context.rate * 2 * context.options.warmup * 1.3) + 100;
      for (const target of PROBES) {
        await fixtures.fresh.ensure(warmup);
        await context.warmUp(app, target, fixtures);
      }
      // Both runs' sessions made now: making them writes to the database and takes a core for a
      // while, which must not happen just before either run.
      await fixtures.fresh.ensure(2 * SESSIONS_PER_RUN);
      await sleep(1000);
      context.log(`login flood: probes at ${PROBE_RATE} req/s each for ${FLOOD_SECONDS} s without the flood`);
      const quietRun = await probe(context, app, fixtures);
      context.log(`login flood: the same during a flood of ${FLOOD_CONCURRENCY} concurrent wrong-password logins`);
      const floodRun = await probe(context, app, fixtures, await floodProcess(app.url, FLOOD_SECONDS));
      const [quiet, flooded, floodTally] = [quietRun.probes, floodRun.probes, floodRun.alongside];

      const rows = PROBES.map((target) => {
        const before = quiet[target.id];
        const during = flooded[target.id];
        const p50Ratio = during.p50 / before.p50;
        const p99Ratio = during.p99 / before.p99;
        return {
          id: target.id,
          name: target.name,
          quiet: before,
          flooded: during,
          p50Ratio,
          p99Ratio,
          verdicts: {
            p50: p50Ratio <= P50_GOAL,
            p99: p99Ratio <= P99_GOAL,
            no5xx: before.fiveHundreds + during.fiveHundreds === 0,
            answers: before.unexpected + during.unexpected === 0,
          },
        };
      });
      const got429 = (floodTally.statuses[429] ?? 0) > 0;
      // On a slow machine the flood may never get over the limits in FLOOD_SECONDS: nothing to refuse then.
      const overLimits = floodTally.mostFailuresOfOneIdentifier >= BACKOFF_AFTER;
      const goals = [
        ...rows.flatMap((row) => [
          {
            name: `${row.name}: p50 during the flood ÷ without`,
            goal: `≤ ${P50_GOAL}`,
            measured: `${row.flooded.p50.toFixed(1)} ÷ ${row.quiet.p50.toFixed(1)} ms = ×${row.p50Ratio.toFixed(2)}`,
            met: row.verdicts.p50,
          },
          {
            name: `${row.name}: p99 during the flood ÷ without`,
            goal: `≤ ${P99_GOAL}`,
            measured: `${row.flooded.p99.toFixed(1)} ÷ ${row.quiet.p99.toFixed(1)} ms = ×${row.p99Ratio.toFixed(2)}`,
            met: row.verdicts.p99,
          },
        ]),
        {
          name: "probe answers other than expected (5xx among them)",
          goal: "0",
          measured: rows
            .map((row) => {
              const fiveHundreds = row.quiet.fiveHundreds + row.flooded.fiveHundreds;
              return `${row.quiet.unexpected + row.flooded.unexpected} (${fiveHundreds})`;
            })
            .join(", "),
          met: rows.every((row) => row.verdicts.no5xx && row.verdicts.answers),
        },
        {
          name: "the flood answered 429 once over the limits",
          goal: "429s once over",
          measured:
            `${floodTally.statuses[429] ?? 0} × 429; at most ${floodTally.mostFailuresOfOneIdentifier} failures of ` +
            `one identifier (limit ${BACKOFF_AFTER})${overLimits ? "" : ": never over the limits"}`,
          met: got429 || !overLimits,
        },
      ];

      // Answers as `status: count`, e.g. "200: 400".
      const answers = (m) =>
        Object.entries(m.statuses)
          .map(([code, n]) => `${code}: ${n}`)
          .join(", ") + (m.errors ? `, errors: ${m.errors}` : "");
      const table = [
        `| request, ${PROBE_RATE} req/s | p50 / p99 ms without the flood | p50 / p99 ms during it | p50 × | p99 × | answers without / during |`,
        "| --- | --- | --- | --- | --- | --- |",
        ...rows.map(
          (row) =>
            `| ${row.name} | ${row.quiet.p50.toFixed(1)} / ${row.quiet.p99.toFixed(1)} ` +
            `| ${row.flooded.p50.toFixed(1)} / ${row.flooded.p99.toFixed(1)} ` +
            `| ${row.p50Ratio.toFixed(2)} | ${row.p99Ratio.toFixed(2)} | ${answers(row.quiet)} / ${answers(row.flooded)} |`,
        ),
      ].join("\n");
      const count = (code) => floodTally.statuses[code] ?? 0;
      const other = Object.entries(floodTally.statuses).filter(([code]) => !["400", "429", "503"].includes(code));
      const lines = [
        `Login flood: ${FLOOD_CONCURRENCY} clients from ${FLOOD_ADDRESSES.length} addresses, ` +
          `half guessing ${FLOOD_IDENTIFIERS.length} identifiers, half a new identifier each time, ` +
          `${floodTally.seconds.toFixed(0)} s: ` +
          `${floodTally.submissions} wrong-password submissions (${Math.round(floodTally.submissions / floodTally.seconds)}/s), ` +
          `${count(400)} answered 400 (checked and wrong), ${count(429)} 429` +
          `${floodTally.first429At === undefined ? "" : ` (the first after ${floodTally.first429At.toFixed(1)} s)`}, ` +
          `${count(503)} 503${other.length ? `, ${other.map(([code, n]) => `${n} × ${code}`).join(", ")}` : ""}` +
          `${floodTally.errors ? `, ${floodTally.errors} connection errors` : ""}; ${floodTally.flowsCreated} flows. ` +
          `The server used ${quietRun.serverCores.toFixed(2)} cores without the flood ` +
          `(${quietRun.mainThreadCores.toFixed(2)} on its main thread) and ${floodRun.serverCores.toFixed(2)} during it ` +
          `(${floodRun.mainThreadCores.toFixed(2)}); load average ${quietRun.loadAverage.toFixed(1)} and ` +
          `${floodRun.loadAverage.toFixed(1)}.`,
      ];
      const data = {
        probeRate: PROBE_RATE,
        seconds: FLOOD_SECONDS,
        rows,
        flood: floodTally,
        serverCores: { quiet: quietRun.serverCores, flooded: floodRun.serverCores },
        mainThreadCores: { quiet: quietRun.mainThreadCores, flooded: floodRun.mainThreadCores },
        loadAverage: { quiet: quietRun.loadAverage, flooded: floodRun.loadAverage },
      };
      return { goals, lines, table, data };
    } finally {
      await app.stop();
    }
  },
};

// `node login-flood.mjs <url> <seconds>`: says "ready", waits for a line on stdin, then floods and
// writes its tally as JSON, each on a line of stdout.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, seconds] = process.argv.slice(2);
  process.stdout.write("ready\n");
  await once(createInterface({ input: process.stdin }), "line");
  process.stdout.write(JSON.stringify(await flood(url, Number(seconds))) + "\n");
}
