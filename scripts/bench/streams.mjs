// The event stream check (issue 12): what open `GET /sessions/events` streams cost a server, and how
// soon a revocation reaches the revoked device's stream. On servers of its own, on the setup's
// database (not in the cluster setup: two servers side by side on one database stand in for it):
//
// 1. Scale: one server, STREAMS streams, one per session, each opened with its session's cookie.
//    The server's RSS and CPU while idle (IDLE_SECONDS: one heartbeat interval, so every stream
//    writes once) without streams and with them, after SETTLE_SECONDS for the garbage collection
//    that follows opening them. Then "sign out everywhere else" (DELETE /sessions) ends all of them at
//    once: when its answer came and when the last stream's event arrived, both from the request. Goals: < RSS_GOAL_MB more
//    RSS for 1,000 streams; idle CPU (no measurable cost: < IDLE_CPU_GOAL_PERCENT of one core more
//    than without); no event missing.
// 2. Latency: two servers on one database. SAMPLES times each, a stream on the first server and its
//    session revoked by another session (DELETE /sessions/{id}) on the same server, then on the other
//    one, at a random moment (SQLite's once-a-second poll must not fall into step with them): the
//    delay from the revocation's answer to the event (0 when the event came first: the stream's own
//    server tells it at the commit). Goal: p99 < P99_GOAL_MS both ways.

import { request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { requestOnce } from "./load.mjs";
import { cpuSpent, cpuTimes, memoryMb, processTree } from "./processes.mjs";
import { distribution } from "./statistics.mjs";

const STREAMS = 1000;
const SAMPLES = 100;
const IDLE_SECONDS = 20;
const SETTLE_SECONDS = 10;
/** How long an event may take before it counts as missing. */
const EVENT_TIMEOUT_MS = 10_000;
const RSS_GOAL_MB = 100;
const IDLE_CPU_GOAL_PERCENT = 1;
const P99_GOAL_MS = 1000;

/**
 * Opens a stream with this session's cookie. Resolves once it is open (its `retry:` arrived), with
 * `event` (a promise of when its first event arrived, performance.now()'s clock) and `close()`.
 */
function openStream(url, cookie) {
  return new Promise((resolve, reject) => {
    let eventArrived;
    const event = new Promise((resolveEvent) => (eventArrived = resolveEvent));
    const req = httpRequest(
      `${url}/sessions/events`,
      { headers: { accept: "text/event-stream", cookie }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`GET /sessions/events: ${res.statusCode}`));
        }
        let text = "";
        let opened = false;
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
          if (!opened && text.includes("retry:")) {
            opened = true;
            resolve({ event, close: () => req.destroy() });
          }
          if (text.includes("event: session_revoked")) eventArrived(performance.now());
        });
      },
    );
    req.on("error", (error) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    req.end();
  });
}

/** The time an event arrived, or Infinity after `timeoutMs`. */
const arrival = (stream, timeoutMs = EVENT_TIMEOUT_MS) =>
  Promise.race([stream.event, sleep(timeoutMs).then(() => Infinity)]);

/** The server's RSS (MB, all its processes) and its idle CPU over IDLE_SECONDS (% of one core). */
async function idleFigures(app) {
  const pids = processTree(app.instancePids());
  const before = cpuTimes(pids);
  await sleep(IDLE_SECONDS * 1000);
  return {
    rssMb: pids.reduce((sum, pid) => sum + memoryMb(pid), 0),
    cpuPercent: (cpuSpent(before, cpuTimes(pids)) / (IDLE_SECONDS * 1000)) * 100,
  };
}

async function scale(context) {
  const database = await context.createDatabase("streams-scale");
  const fixtures = await context.makeSessions(database, { fresh: STREAMS + 50 });
  const [warmup, devices] = [fixtures.fresh.sessions.slice(0, 50), fixtures.fresh.sessions.slice(50)];
  const app = await context.startApp(database);
  const streams = [];
  try {
    // Every code path the measurement uses, so that what follows is the streams' own cost.
    for (const session of warmup) (await openStream(app.url, session.cookie)).close();
    await sleep(2_000);
    context.log(`streams: the server idle for ${IDLE_SECONDS} s without streams`);
    const without = await idleFigures(app);
    context.log(`streams: opening ${devices.length} streams`);
    for (let i = 0; i < devices.length; i += 50) {
      const batch = devices.slice(i, i + 50).map((session) => openStream(app.url, session.cookie));
      streams.push(...(await Promise.all(batch)));
    }
    await sleep(SETTLE_SECONDS * 1000);
    context.log(`streams: the server idle for ${IDLE_SECONDS} s with ${streams.length} streams`);
    const withStreams = await idleFigures(app);

    const started = performance.now();
    const answer = await requestOnce(`${app.url}/sessions`, {
      method: "DELETE",
      headers: { accept: "application/json", "x-session-token": fixtures.signedIn.token },
    });
    if (answer.status !== 200) throw new Error(`DELETE /sessions: ${answer.status} ${answer.text.slice(0, 300)}`);
    const arrivals = await Promise.all(streams.map((stream) => arrival(stream, 30_000)));
    const arrived = arrivals.filter((at) => at !== Infinity);
    return {
      streams: streams.length,
      without,
      with: withStreams,
      rssMbPer1000: ((withStreams.rssMb - without.rssMb) / streams.length) * 1000,
      idleCpuPercentMore: withStreams.cpuPercent - without.cpuPercent,
      burst: {
        revoked: JSON.parse(answer.text).count,
        answerMs: answer.at - started,
        // From the request: the events may all be out before its answer has been read.
        lastEventMs: Math.max(0, ...arrived.map((at) => at - started)),
        missing: arrivals.length - arrived.length,
      },
    };
  } finally {
    for (const stream of streams) stream.close();
    await app.stop();
  }
}

/** `count` streams on `streamOn`, one at a time, each revoked through `revokeOn`: the delays. */
async function delays(streamOn, revokeOn, revoker, sessions) {
  const measured = [];
  let missing = 0;
  for (const session of sessions) {
    const stream = await openStream(streamOn.url, session.cookie);
    await sleep(Math.random() * 1_000);
    const answer = await requestOnce(`${revokeOn.url}/sessions/${session.id}`, {
      method: "DELETE",
      headers: { "x-session-token": revoker.token },
    });
    if (answer.status !== 204) throw new Error(`DELETE /sessions/{id}: ${answer.status} ${answer.text.slice(0, 300)}`);
    const arrived = await arrival(stream);
    stream.close();
    if (arrived === Infinity) missing++;
    else measured.push(Math.max(0, arrived - answer.at));
  }
  return { ...distribution(measured), missing };
}

async function latency(context) {
  const database = await context.createDatabase("streams-latency");
  const fixtures = await context.makeSessions(database, { fresh: 2 * SAMPLES + 10 });
  const sessions = fixtures.fresh.sessions;
  const apps = [];
  try {
    apps.push(await context.startApp(database), await context.startApp(database));
    const [a, b] = apps;
    context.log(`streams: ${SAMPLES} revocations on the stream's server, then ${SAMPLES} on the other one`);
    await delays(a, a, fixtures.signedIn, sessions.slice(0, 10)); // warm-up
    return {
      sameServer: await delays(a, a, fixtures.signedIn, sessions.slice(10, 10 + SAMPLES)),
      otherServer: await delays(a, b, fixtures.signedIn, sessions.slice(10 + SAMPLES)),
    };
  } finally {
    for (const app of apps) await app.stop();
  }
}

export const streams = {
  id: "streams",
  name: "open event streams",
  appliesTo: (setup) => !setup.cluster,
  async run(context) {
    const measuredScale = await scale(context);
    const measuredLatency = await latency(context);
    const { sameServer, otherServer } = measuredLatency;
    const { burst } = measuredScale;
    const ms = (value) => `${value.toFixed(1)} ms`;
    const missing = burst.missing + sameServer.missing + otherServer.missing;
    const goals = [
      {
        name: `RSS for ${STREAMS.toLocaleString("en")} open streams`,
        goal: `< ${RSS_GOAL_MB} MB more`,
        measured:
          `${measuredScale.without.rssMb} → ${measuredScale.with.rssMb} MB ` +
          `(+${measuredScale.rssMbPer1000.toFixed(0)} MB per 1,000)`,
        met: measuredScale.rssMbPer1000 < RSS_GOAL_MB,
      },
      {
        name: "CPU while idle, with the streams",
        goal: `< ${IDLE_CPU_GOAL_PERCENT}% of a core more`,
        measured:
          `${measuredScale.without.cpuPercent.toFixed(2)}% → ${measuredScale.with.cpuPercent.toFixed(2)}% ` +
          `(+${measuredScale.idleCpuPercentMore.toFixed(2)})`,
        met: measuredScale.idleCpuPercentMore < IDLE_CPU_GOAL_PERCENT,
      },
      {
        name: "revocation's answer → event, p99, same server / other server",
        goal: `< ${P99_GOAL_MS} ms`,
        measured: `${ms(sameServer.p99)} / ${ms(otherServer.p99)}`,
        met: sameServer.p99 < P99_GOAL_MS && otherServer.p99 < P99_GOAL_MS,
      },
      { name: "events missing", goal: "0", measured: String(missing), met: missing === 0 },
    ];
    const spread = (d) => `${ms(d.p50)} / ${ms(d.p99)} / ${ms(d.max)}`;
    const table = [
      "| measurement | events | answer → event p50 / p99 / max | missing |",
      "| --- | --- | --- | --- |",
      `| DELETE /sessions/{id} on the stream's server | ${sameServer.count} | ${spread(sameServer)} | ${sameServer.missing} |`,
      `| DELETE /sessions/{id} on another server, same database | ${otherServer.count} | ${spread(otherServer)} ` +
        `| ${otherServer.missing} |`,
    ].join("\n");
    const lines = [
      `Event streams: ${measuredScale.streams} open streams on one server, RSS ${measuredScale.without.rssMb} → ` +
        `${measuredScale.with.rssMb} MB, idle CPU ${measuredScale.without.cpuPercent.toFixed(2)}% → ` +
        `${measuredScale.with.cpuPercent.toFixed(2)}% of a core; "sign out everywhere else" ending ${burst.revoked} ` +
        `answered ${ms(burst.answerMs)} after the request, the last event ${ms(burst.lastEventMs)} after it, ` +
        `${burst.missing} missing. Answer → event p50 ${ms(sameServer.p50)} on the same server, ` +
        `${ms(otherServer.p50)} on another.`,
    ];
    return { goals, lines, table, data: { scale: measuredScale, latency: measuredLatency } };
  },
};
