// Checks: measurements of `npm run bench` that are not one request target compared with the
// baseline. They run after the rounds, on the same setup, each on databases and servers of its own:
// logout cost against the table's size (below), webhook delivery (webhook-delivery.mjs, issue 11),
// whoami and logout during a login flood (login-flood.mjs, issue 13) and the cost and latency of open
// event streams (streams.mjs, issue 12). `--checks id,…` runs some, `--no-checks` none.
//
// A check: { id, name, appliesTo(setup) → boolean, run(context) → { goals: [{ name, goal, measured,
// met }], lines (notes for the console and the README), table (Markdown, optional), data (for
// latest.json) } }. bench.mjs prints each check's goals as a table with "met: yes/no". The
// context (see bench.mjs) gives the options, the setup ({ id, cluster, postgres }), log(message),
// the fixed rate the rounds used (half the baseline's throughput), the setup's main app with its
// database and fixtures, createDatabase(label)/makeSessions(database, { stored, fresh })/
// startApp(database, extraEnv) to stand up more (two servers on one database, the cluster's two
// instances in the cluster setup; an extraEnv value undefined removes the variable), warmUp(app,
// target, fixtures) and measurePaced(app, target, rate, fixtures, { duration, onAnswer }).

import { loginFlood } from "./login-flood.mjs";
import { median } from "./statistics.mjs";
import { streams } from "./streams.mjs";
import { TARGETS } from "./targets.mjs";
import { webhookDelivery } from "./webhook-delivery.mjs";

const FRESH_LOGOUT = TARGETS.find((target) => target.id === "logout-fresh");
const TABLE_SIZE_GOAL = 1.2; // CPU per logout with the large table ÷ with the small one

/**
 * Browser logout must cost the same whatever the number of stored sessions (the session is found
 * by its indexed token hash and id). Two fresh servers side by side, one on a database with 100
 * stored sessions and one with --stored-sessions more, are warmed up alike and take turns at a
 * fixed rate of a quarter of the baseline's throughput (below what logout sustains). The verdict is
 * on CPU per request, the app's and the database server's together (a deeper index costs CPU in
 * whichever process searches it): on a shared machine, latency at a fixed rate moves with the
 * neighbours' load by more than the 20% this check allows. p50 and p99 are reported beside it.
 */
export const tableSize = {
  id: "table-size",
  name: "browser logout with many stored sessions",
  appliesTo: (setup) => !setup.cluster,
  async run(context) {
    const { options } = context;
    const rate = Math.max(1, Math.round(context.rate / 2));
    const sides = [];
    try {
      for (const [label, stored] of [
        ["small", 100],
        ["large", 100 + options.storedSessions],
      ]) {
        const database = await context.createDatabase(label);
        const fixtures = await context.makeSessions(database, { stored });
        sides.push({ label, database, fixtures, app: await context.startApp(database) });
      }
      const perRound = Math.ceil(rate * options.rateDuration * 1.05) + 50;
      // Warming up at full speed uses up to the baseline's pace in sessions.
      const warmup = Math.ceil(context.rate * 2 * options.warmup * 1.3) + 100;
      for (const side of sides) await side.fixtures.fresh.ensure(warmup + perRound * options.rounds);
      for (const side of sides) await context.warmUp(side.app, FRESH_LOGOUT, side.fixtures);
      const rounds = { small: [], large: [] };
      for (let round = 0; round < options.rounds; round++) {
        for (const side of sides) {
          await side.fixtures.fresh.ensure(perRound);
          rounds[side.label].push(await context.measurePaced(side.app, FRESH_LOGOUT, rate, side.fixtures));
        }
      }
      const summary = ({ label, database }) => ({
        sessionRows: database.sessionRows,
        p50: median(rounds[label].map((m) => m.p50)),
        p99: median(rounds[label].map((m) => m.p99)),
        cpuMsPerRequest: median(rounds[label].map((m) => m.cpuMsPerRequest.app + m.cpuMsPerRequest.database)),
      });
      const [small, large] = sides.map(summary);
      const data = { rate, small, large, cpuRatio: large.cpuMsPerRequest / small.cpuMsPerRequest, rounds };
      data.p50Ratio = large.p50 / small.p50;
      data.failures = [...rounds.small, ...rounds.large].reduce((n, m) => n + m.unexpected + m.exhausted, 0);
      const rows = (n) => n.toLocaleString("en");
      const goals = [
        {
          name: `CPU per logout, ${rows(large.sessionRows)} ÷ ${rows(small.sessionRows)} session rows`,
          goal: `< ${TABLE_SIZE_GOAL}`,
          measured: `${large.cpuMsPerRequest.toFixed(2)} ÷ ${small.cpuMsPerRequest.toFixed(2)} ms = ×${data.cpuRatio.toFixed(2)}`,
          met: data.cpuRatio < TABLE_SIZE_GOAL,
        },
        {
          name: "logouts answered other than 303",
          goal: "0",
          measured: String(data.failures),
          met: data.failures === 0,
        },
      ];
      const lines = [
        `Browser logout with ${rows(small.sessionRows)} vs ${rows(large.sessionRows)} session rows, at ${rate} req/s: ` +
          `CPU ${small.cpuMsPerRequest.toFixed(2)} vs ${large.cpuMsPerRequest.toFixed(2)} ms/request; ` +
          `p50 ${small.p50.toFixed(1)} vs ${large.p50.toFixed(1)} ms, p99 ${small.p99.toFixed(1)} vs ${large.p99.toFixed(1)} ms.`,
      ];
      return { goals, lines, data };
    } finally {
      for (const side of sides) await side.app.stop();
    }
  },
};

export const CHECKS = [tableSize, webhookDelivery, loginFlood, streams];
