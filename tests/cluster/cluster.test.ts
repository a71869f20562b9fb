// Several instances on one PostgreSQL behind nginx (scripts/cluster.mjs, the recipe `npm run cluster`
// runs): requests are spread over the instances, and a logout through any of them is refused at once
// by every instance, asked directly.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterApp, type Cluster, type ClusterApp } from "../support/cluster";
import { Client, logoutPath, register, registerNative, uniqueEmail, whoamiStatus } from "../support/client";
import { signedInSessions } from "../support/sessions";

let app: ClusterApp;
/** The cluster as one app: requests go through nginx. */
let cluster: Cluster;

beforeAll(async () => {
  app = await startClusterApp({ RATE_LIMITS: "off" });
  cluster = app.cluster;
});

afterAll(async () => {
  await app?.stop();
});

/** The instance that answered, as nginx reports it. */
const upstream = (response: Response) => response.headers.get("x-upstream");

/** The status every instance gives these credentials, asked directly, not through the proxy. */
async function statusOnEveryInstance(headers: Record<string, string>): Promise<number[]> {
  return Promise.all(
    cluster.servers.map((server) =>
      whoamiStatus(
        { ...app, url: server.url, fetch: (input, init) => fetch(new URL(input, server.url), init) },
        headers,
      ),
    ),
  );
}

describe("a cluster of two instances behind nginx", () => {
  it("spreads requests over both instances", async () => {
    const answered = new Set<string | null>();
    for (let i = 0; i < 6; i++) answered.add(upstream(await app.fetch("/health/alive")));
    expect([...answered].sort()).toEqual(cluster.servers.map((server) => new URL(server.url).host).sort());
  });

  it("browser logout through one instance: every instance refuses the old cookie at once", async () => {
    const browser = new Client(app);
    await expect(await register(browser, uniqueEmail("cluster"))).toHaveStatus(200);
    const cookie = browser.jar.header();

    // whoami and the logout URL, each answered by both instances in turn.
    const answeredBy = new Set<string | null>();
    for (let i = 0; i < 4; i++) {
      const whoami = await browser.getJson("/sessions/whoami");
      await expect(whoami).toHaveStatus(200);
      answeredBy.add(upstream(whoami));
    }
    expect(answeredBy.size).toBe(2);
    expect(await statusOnEveryInstance({ cookie })).toEqual([200, 200]);

    const loggedOut = await browser.request(await logoutPath(app, cookie));
    await expect(loggedOut).toHaveStatus(303);
    expect(upstream(loggedOut)).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await statusOnEveryInstance({ cookie })).toEqual([401, 401]);
  });

  it("native logout through the proxy: every instance refuses the token at once", async () => {
    const { session_token } = await registerNative(app, uniqueEmail("cluster"));
    expect(await statusOnEveryInstance({ "X-Session-Token": session_token })).toEqual([200, 200]);
    const response = await app.fetch("/self-service/logout/api", {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session_token }),
    });
    await expect(response).toHaveStatus(204);
    expect(await statusOnEveryInstance({ "X-Session-Token": session_token })).toEqual([401, 401]);
  });

  it("DELETE /sessions/{id} and DELETE /sessions through the proxy: the other devices are refused everywhere", async () => {
    const [me, laptop, phone, tablet] = await signedInSessions(4);
    const revokeOne = await app.fetch(`/sessions/${laptop!.id}`, {
      method: "DELETE",
      headers: { "X-Session-Token": me!.token },
    });
    await expect(revokeOne).toHaveStatus(204);
    expect(await statusOnEveryInstance({ "X-Session-Token": laptop!.token })).toEqual([401, 401]);
    expect(await statusOnEveryInstance({ "X-Session-Token": phone!.token })).toEqual([200, 200]);

    const revokeOthers = await app.fetch("/sessions", { method: "DELETE", headers: { "X-Session-Token": me!.token } });
    await expect(revokeOthers).toHaveStatus(200);
    expect(await revokeOthers.json()).toEqual({ count: 2 });
    for (const device of [phone!, tablet!]) {
      expect(await statusOnEveryInstance({ cookie: device.cookie })).toEqual([401, 401]);
    }
    expect(await statusOnEveryInstance({ "X-Session-Token": me!.token })).toEqual([200, 200]);
  });

  it("fifty simultaneous uses of one logout URL over both instances → all 204/303, revoked once", async () => {
    const [session] = await signedInSessions(1);
    const path = await logoutPath(app, session!.cookie);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.fetch(path, { headers: { cookie: session!.cookie, accept: i % 2 ? "application/json" : "text/html" } }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 204 && s !== 303)).toEqual([]);
    expect(new Set(responses.map(upstream)).size).toBe(2);
    const row = await app.db.session.findUniqueOrThrow({ where: { id: session!.id } });
    expect(row.active).toBe(false);
    expect(await statusOnEveryInstance({ cookie: session!.cookie })).toEqual([401, 401]);
  });

  it(
    "an instance killed mid-load: nginx routes around it, no answered logout is lost, the restarted one serves the same sessions",
    { timeout: 60_000 },
    async () => {
      const sessions = await signedInSessions(400);
      const toLogOut = sessions.slice(0, 300);
      const untouched = sessions.slice(300);
      const answered: string[] = [];
      const failures: number[] = [];
      let next = 0;
      const worker = async () => {
        while (next < toLogOut.length) {
          const session = toLogOut[next++]!;
          if (next === 100) void cluster.servers[0]!.kill("SIGKILL");
          const response = await app.fetch("/self-service/logout/api", {
            method: "DELETE",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ session_token: session.token }),
          });
          if (response.status === 204) answered.push(session.id);
          else failures.push(response.status);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));

      expect(failures).toEqual([]);
      expect(answered).toHaveLength(toLogOut.length);
      const rows = await app.db.session.findMany({ where: { id: { in: answered } }, select: { active: true } });
      expect(rows.filter((row) => row.active)).toEqual([]);

      const restarted = await cluster.restart(0);
      const direct = {
        ...app,
        url: restarted.url,
        fetch: (input: string | URL, init?: RequestInit) => fetch(new URL(input, restarted.url), init),
      };
      for (const session of untouched.slice(0, 20))
        expect(await whoamiStatus(direct, { cookie: session.cookie })).toBe(200);
      for (const session of toLogOut.slice(0, 20))
        expect(await whoamiStatus(direct, { cookie: session.cookie })).toBe(401);
    },
  );
});
