// The webhook delivery check (issue 11): how long a logout takes to reach a service that trusts the
// session, and whether any event arrives twice. A receiver runs in the benchmark's process
// (node:http, every signature verified with the standardwebhooks library, independently of the
// app's signing code); servers are started with WEBHOOK_URLS/WEBHOOK_SECRET pointing at it.
//
// 1. Browser logouts of fresh sessions at a fixed rate (an eighth of the baseline's throughput, well
//    below what logout sustains with delivery on), on two servers side by side, webhooks off and on,
//    taking turns: the delay from each logout's answer (when the load generator had read it) to
//    its event's arrival, matched by session_id: p50 (goal < 1 s), p99 and max; events missing;
//    duplicates (a webhook-id or a session_id received more than once); and the logout's own
//    latency and CPU with delivery off and on (the answer never waits for delivery, but the same
//    process makes the delivery's request).
// 2. A burst: "sign out everywhere else" (DELETE /sessions) ends BURST sessions at once on two
//    instances sharing one database (the cluster's two behind nginx, else two servers side by side):
//    the delay from its answer to each event's arrival, and duplicates per 1,000 events (goal 0).

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { requestOnce, until } from "./load.mjs";
import { distribution, median } from "./statistics.mjs";
import { TARGETS } from "./targets.mjs";

/** Each of options.rounds measurements of paced logouts, per side (webhooks off, on). */
const MEASURE_SECONDS = 4;
const BURST = 1000;
const DELIVERY_P50_GOAL_MS = 1000;
/** After the last expected event, how long a late duplicate has to show up. */
const DUPLICATE_GRACE_MS = 1000;

const FRESH_LOGOUT = TARGETS.find((target) => target.id === "logout-fresh");
/** The same browser logout, each request carrying its session's id to match the event with. */
const LOGOUT_WITH_ID = {
  ...FRESH_LOGOUT,
  request:
    ({ fresh }) =>
    () => {
      const session = fresh.take();
      return {
        path: session.logoutPath,
        headers: { accept: "text/html", cookie: session.cookie },
        sessionId: session.id,
      };
    },
};

/** Listens on 127.0.0.1; remembers when each session's event first arrived and counts every delivery. */
async function startReceiver() {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const webhook = new Webhook(secret);
  const state = { arrivals: new Map(), perWebhookId: new Map(), perSession: new Map(), invalid: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const at = performance.now();
      try {
        const event = webhook.verify(Buffer.concat(chunks).toString("utf8"), req.headers);
        const sessionId = event.data.session_id;
        const id = req.headers["webhook-id"];
        state.perWebhookId.set(id, (state.perWebhookId.get(id) ?? 0) + 1);
        state.perSession.set(sessionId, (state.perSession.get(sessionId) ?? 0) + 1);
        if (!state.arrivals.has(sessionId)) state.arrivals.set(sessionId, at);
        res.writeHead(204).end();
      } catch {
        state.invalid++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    secret,
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    state,
    reset() {
      state.arrivals.clear();
      state.perWebhookId.clear();
      state.perSession.clear();
      state.invalid = 0;
    },
    /** Deliveries beyond the first, of one webhook-id or of one session (two events for one session). */
    duplicates() {
      const extra = (counts) => [...counts.values()].reduce((n, c) => n + c - 1, 0);
      return Math.max(extra(state.perWebhookId), extra(state.perSession));
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Two servers side by side, webhooks off and on, warmed up alike and taking turns (options.rounds
 * times MEASURE_SECONDS each) at `rate`: what delivery adds to a logout, and every delivery's delay.
 */
async function pacedLogouts(context, receiver, webhookEnv, rate) {
  const { options } = context;
  const sides = [];
  try {
    for (const [label, env] of [
      ["off", { WEBHOOK_URLS: undefined, WEBHOOK_SECRET: undefined }],
      ["on", webhookEnv],
    ]) {
      const database = await context.createDatabase(`webhooks-${label}`);
      const fixtures = await context.makeSessions(database);
      sides.push({ label, fixtures, app: await context.startApp(database, env), rounds: [] });
    }
    const perRound = Math.ceil(rate * MEASURE_SECONDS * 1.05) + 50;
    // Warming up at full speed uses up to the baseline's pace in sessions.
    const warmup = Math.ceil(context.rate * 2 * options.warmup * 1.3) + 100;
    for (const side of sides) await side.fixtures.fresh.ensure(warmup + perRound * options.rounds);
    let warmupEvents = 0;
    for (const side of sides) {
      const warmed = await context.warmUp(side.app, FRESH_LOGOUT, side.fixtures);
      if (side.label === "on") warmupEvents = warmed.statuses[303] ?? 0;
    }
    await until(() => receiver.state.arrivals.size >= warmupEvents, 30_000);
    receiver.reset();

    const answeredAt = new Map();
    const onAnswer = (request, status, at) => {
      if (status === 303 && !answeredAt.has(request.sessionId)) answeredAt.set(request.sessionId, at);
    };
    for (let round = 0; round < options.rounds; round++) {
      for (const side of sides) {
        await side.fixtures.fresh.ensure(perRound);
        side.rounds.push(
          await context.measurePaced(side.app, LOGOUT_WITH_ID, rate, side.fixtures, {
            duration: MEASURE_SECONDS,
            onAnswer: side.label === "on" ? onAnswer : undefined,
          }),
        );
      }
    }
    await until(() => [...answeredAt.keys()].every((id) => receiver.state.arrivals.has(id)), 30_000);
    await sleep(DUPLICATE_GRACE_MS);
    const delays = [...answeredAt].flatMap(([id, at]) => {
      const arrived = receiver.state.arrivals.get(id);
      // 0 when the event came first (the load generator read the answer after the receiver got it).
      return arrived === undefined ? [] : [Math.max(0, arrived - at)];
    });
    const logout = ({ rounds }) => ({
      p50: median(rounds.map((m) => m.p50)),
      p99: median(rounds.map((m) => m.p99)),
      cpuMsPerRequest: median(rounds.map((m) => m.cpuMsPerRequest.app)),
      failed: rounds.reduce((n, m) => n + m.unexpected + m.exhausted, 0),
    });
    const [off, on] = sides.map(logout);
    return {
      rate,
      logouts: answeredAt.size,
      logoutWebhooksOff: off,
      logoutWebhooksOn: on,
      failedLogouts: off.failed + on.failed,
      delivery: distribution(delays),
      missing: answeredAt.size - delays.length,
      duplicates: receiver.duplicates(),
      invalidSignatures: receiver.state.invalid,
      rounds: Object.fromEntries(sides.map((side) => [side.label, side.rounds])),
    };
  } finally {
    for (const side of sides) await side.app.stop();
  }
}

async function burstOnTwoInstances(context, receiver, webhookEnv) {
  const database = await context.createDatabase("webhook-burst");
  // BURST sessions of the bench identity besides the signed-in one that ends them. The fixture
  // process runs without WEBHOOK_URLS: the token it revokes for its own fixtures is never announced.
  const fixtures = await context.makeSessions(database, { fresh: BURST });
  const apps = context.setup.cluster
    ? [await context.startApp(database, webhookEnv)]
    : [await context.startApp(database, webhookEnv), await context.startApp(database, webhookEnv)];
  try {
    receiver.reset();
    const started = performance.now();
    const answer = await requestOnce(`${apps[0].url}/sessions`, {
      method: "DELETE",
      headers: { accept: "application/json", "x-session-token": fixtures.signedIn.token },
    });
    if (answer.status !== 200) throw new Error(`DELETE /sessions: ${answer.status} ${answer.text.slice(0, 300)}`);
    const { count } = JSON.parse(answer.text);
    await until(() => receiver.state.arrivals.size >= count, 60_000);
    await sleep(DUPLICATE_GRACE_MS);
    const delays = [...receiver.state.arrivals.values()].map((at) => Math.max(0, at - answer.at));
    const duplicates = receiver.duplicates();
    return {
      instances: apps.reduce((n, app) => n + app.instancePids().length, 0),
      revoked: count,
      revokeAnswerMs: answer.at - started,
      delivery: distribution(delays),
      missing: count - receiver.state.arrivals.size,
      duplicates,
      duplicatesPer1000: (duplicates / Math.max(count, 1)) * 1000,
      invalidSignatures: receiver.state.invalid,
    };
  } finally {
    for (const app of apps) await app.stop();
  }
}

export const webhookDelivery = {
  id: "webhooks",
  name: "webhook delivery",
  appliesTo: () => true,
  async run(context) {
    const receiver = await startReceiver();
    try {
      const webhookEnv = { WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: receiver.secret };
      const rate = Math.max(1, Math.round(context.rate / 4));
      context.log(`webhooks: browser logouts at ${rate} req/s, webhooks off and on`);
      const paced = await pacedLogouts(context, receiver, webhookEnv, rate);
      context.log(`webhooks: a burst of ${BURST} revocations on two instances`);
      const burst = await burstOnTwoInstances(context, receiver, webhookEnv);

      const ms = (value) => `${value.toFixed(1)} ms`;
      const goals = [
        {
          name: "browser logout's answer → its event, p50",
          goal: `< ${DELIVERY_P50_GOAL_MS} ms`,
          measured: ms(paced.delivery.p50),
          met: paced.delivery.p50 < DELIVERY_P50_GOAL_MS,
        },
        {
          name: "events delivered more than once",
          goal: "0",
          measured: `${paced.duplicates} of ${paced.delivery.count} paced, ${burst.duplicates} of ${burst.delivery.count} in the burst`,
          met: paced.duplicates === 0 && burst.duplicates === 0,
        },
        {
          name: "events missing, logouts failed, signatures invalid",
          goal: "0",
          measured:
            `${paced.missing + burst.missing}, ${paced.failedLogouts}, ` +
            `${paced.invalidSignatures + burst.invalidSignatures}`,
          met:
            paced.missing + burst.missing + paced.failedLogouts + paced.invalidSignatures + burst.invalidSignatures ===
            0,
        },
      ];
      const [off, on] = [paced.logoutWebhooksOff, paced.logoutWebhooksOn];
      const spread = (d) => `${ms(d.p50)} / ${ms(d.p99)} / ${ms(d.max)}`;
      const table = [
        "| measurement | events | answer → event p50 / p99 / max | missing | duplicates |",
        "| --- | --- | --- | --- | --- |",
        `| browser logouts at ${paced.rate} req/s, ${context.options.rounds} × ${MEASURE_SECONDS} s ` +
          `| ${paced.delivery.count} | ${spread(paced.delivery)} | ${paced.missing} | ${paced.duplicates} |`,
        `| "sign out everywhere else" ending ${burst.revoked} sessions, ${burst.instances} instances on one database ` +
          `| ${burst.delivery.count} | ${spread(burst.delivery)} | ${burst.missing} | ${burst.duplicates} |`,
      ].join("\n");
      const lines = [
        `Webhook delivery: p50 ${ms(paced.delivery.p50)}, p99 ${ms(paced.delivery.p99)} from a browser logout's ` +
          `answer to its event at ${paced.rate} req/s. The logouts themselves, webhooks off vs on: ` +
          `p50 ${ms(off.p50)} vs ${ms(on.p50)}, p99 ${ms(off.p99)} vs ${ms(on.p99)}, CPU ${ms(off.cpuMsPerRequest)} ` +
          `vs ${ms(on.cpuMsPerRequest)} each (the delivery included). A burst of ${burst.revoked} on ` +
          `${burst.instances} instances: answered in ${ms(burst.revokeAnswerMs)}, every event within ` +
          `${ms(burst.delivery.max)} of the answer, ${burst.duplicates} duplicates, ${burst.missing} missing.`,
      ];
      return { goals, lines, table, data: { paced, burst } };
    } finally {
      await receiver.close();
    }
  },
};
