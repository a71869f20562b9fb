// Twenty seconds of mixed load from 50 concurrent clients — sign-ins, whoami, logout URLs, browser
// and native logouts — with no 5xx, no lost revocation, and server memory that does not climb.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import {
  actionPath,
  Client,
  logoutPath,
  registerNative,
  signIn,
  uniqueEmail,
  whoamiStatus,
  type Flow,
} from "../support/client";
import { signedInSessions, type SignedIn } from "../support/sessions";

const DURATION_MS = 20_000;
/** Load before memory is sampled: the heap and the KDF's native buffers reach their working size. */
const WARM_UP_MS = 4_000;
const CLIENTS = 50;
const PASSWORD = "load-test-password-Wm4r!";

let app: ServerApp;
let emails: string[];
let pool: SignedIn[];
beforeAll(async () => {
  app = await startServerApp();
  emails = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const email = uniqueEmail("load");
      await registerNative(app, email, PASSWORD);
      return email;
    }),
  );
  pool = await signedInSessions(4_000);
});
afterAll(() => app?.stop());

type Session = { id?: string; cookie?: string; token?: string };

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe("20 s of mixed load at 50 concurrent clients (after 4 s of warm-up)", () => {
  it("answers no 5xx, loses no revocation, and does not grow in memory", { timeout: 90_000 }, async () => {
    const unexpected: string[] = [];
    const statuses = new Map<number, number>();
    const loggedOut: Session[] = [];
    const expect_ = (what: string, response: Response, ...allowed: number[]) => {
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (!allowed.includes(response.status)) unexpected.push(`${what} → ${response.status}`);
      return allowed.includes(response.status);
    };
    const credentials = (s: Session): Record<string, string> =>
      s.cookie ? { cookie: s.cookie } : { "X-Session-Token": s.token! };

    const signInBrowser = async (email: string): Promise<Session> => {
      const client = new Client(app);
      const response = await signIn(client, email, PASSWORD);
      expect_("browser sign-in", response, 200);
      return { cookie: `ory_kratos_session=${client.jar.get("ory_kratos_session")}` };
    };
    const signInNative = async (email: string): Promise<Session> => {
      const flow = (await (await app.fetch(`/self-service/login/api`)).json()) as Flow;
      const response = await new Client(app).request(actionPath(flow), {
        json: { method: "password", identifier: email, password: PASSWORD },
      });
      expect_("native sign-in", response, 200);
      return { token: ((await response.json()) as { session_token: string }).session_token };
    };

    const browserLogout = async (s: Session, asJson: boolean) => {
      const path = await logoutPath(app, s.cookie!);
      statuses.set(200, (statuses.get(200) ?? 0) + 1);
      const response = await app.fetch(`${path}`, {
        headers: { cookie: s.cookie!, ...(asJson ? { accept: "application/json" } : {}) },
        redirect: "manual",
      });
      await response.arrayBuffer();
      return expect_("browser logout", response, asJson ? 204 : 303);
    };
    const nativeLogout = async (s: Session) => {
      const response = await app.fetch(`/self-service/logout/api`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ session_token: s.token }),
      });
      await response.arrayBuffer();
      return expect_("native logout", response, 204);
    };
    const whoami = async (s: Session, ...allowed: number[]) => {
      const response = await app.fetch(`/sessions/whoami`, { headers: credentials(s) });
      const body = await response.text();
      if (response.status === 200) s.id = (JSON.parse(body) as { id: string }).id;
      return expect_("whoami", response, ...allowed);
    };

    // Memory is sampled over the 20 s that follow the warm-up.
    const samples: number[] = [];
    const samplingFrom = Date.now() + WARM_UP_MS;
    const sampler = setInterval(() => Date.now() >= samplingFrom && samples.push(rssMb(app.pid)), 250);
    const deadline = samplingFrom + DURATION_MS;
    let iterations = 0;
    const client = async (n: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const iteration = iterations++;
        const email = emails[iteration % emails.length]!;
        // One round in eight starts with a real sign-in (scrypt); the rest use prepared sessions.
        const session: Session =
          iteration % 8 === 0
            ? await (iteration % 16 === 0 ? signInBrowser(email) : signInNative(email))
            : (pool.pop() ?? (await signInNative(email)));
        if (!(await whoami(session, 200))) continue;
        const answered =
          session.cookie && (n + i) % 3 !== 0
            ? await browserLogout(session, (n + i) % 2 === 0)
            : session.token
              ? await nativeLogout(session)
              : await browserLogout(session, true);
        if (answered) {
          loggedOut.push(session);
          await whoami(session, 401);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
    clearInterval(sampler);

    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(loggedOut.length).toBeGreaterThan(CLIENTS);

    // Every answered logout holds: its row is revoked, and (for a sample) the server refuses the
    // session again now that the load is over.
    const ids = loggedOut.map((s) => s.id!);
    expect(new Set(ids).size).toBe(loggedOut.length);
    expect(await app.db.session.findMany({ where: { id: { in: ids }, active: true }, select: { id: true } })).toEqual(
      [],
    );
    for (const session of loggedOut.filter((_, i) => i % Math.ceil(loggedOut.length / 200) === 0)) {
      expect(await whoamiStatus(app, credentials(session))).toBe(401);
    }

    const third = Math.floor(samples.length / 3);
    const first = mean(samples.slice(0, third));
    const last = mean(samples.slice(-third));
    console.log(
      `${iterations} rounds, ${loggedOut.length} logouts, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `RSS first third ${first.toFixed(0)} MB, last third ${last.toFixed(0)} MB, peak ${Math.max(...samples).toFixed(0)} MB`,
    );
    // A generous bound: steady-state churn is fine, a leak of even a few KB per request is not.
    expect(last).toBeLessThan(first * 1.25 + 40);
  });
});
