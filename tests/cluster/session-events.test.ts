// GET /sessions/events behind nginx on two instances sharing PostgreSQL (scripts/cluster.mjs), as a
// browser meets it: the stream goes through the proxy to one instance, the revocation through the
// proxy lands on either one, and the event still comes through at once (nginx does not buffer it:
// X-Accel-Buffering: no).

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCluster } from "../../scripts/cluster.mjs";
import { freePort, TEST_COOKIE_SECRET, type App } from "../support/app";
import { freshDatabase, type TestDatabase } from "../support/database";
import { EventStream, openEventStream } from "../support/event-stream";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { signedIn, testIdentity, type SignedIn } from "../support/sessions";

type Cluster = Awaited<ReturnType<typeof startCluster>>;

let cluster: Cluster;
let database: TestDatabase;
let app: App;

beforeAll(async () => {
  database = await freshDatabase();
  const [port, ...instancePorts] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    COOKIE_SECRET: TEST_COOKIE_SECRET,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    CLEANUP_INTERVAL: "0",
  };
  cluster = await startCluster({ instances: 2, port, instancePorts, env });
  for (const name of ["DATABASE_URL", "COOKIE_SECRET", "PUBLIC_BASE_URL"] as const) vi.stubEnv(name, env[name]);
  const { createPrismaClient } = await import("@/lib/server/database/client");
  app = {
    url: cluster.url,
    fetch: (input, init) => fetch(new URL(input, cluster.url), { ...init, redirect: "manual" }),
    db: createPrismaClient(database.url),
    database,
    stop: async () => {},
  };
});

afterAll(async () => {
  await app?.db.$disconnect();
  await cluster?.stop();
  await database?.drop();
});

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/** One instance, asked directly rather than through nginx. */
function instance(host: string): App {
  const server = cluster.servers.find((s) => new URL(s.url).host === host)!;
  return { ...app, url: server.url, fetch: (input, init) => fetch(new URL(input, server.url), init) };
}

const otherInstance = (host: string) =>
  instance(cluster.servers.map((s) => new URL(s.url).host).find((h) => h !== host)!);

describe("a stream through nginx, the revocation through the other instance", () => {
  it.each([
    [
      "browser logout",
      "logout",
      (target: App, _laptop: SignedIn, phone: SignedIn) => browserLogout(target, phone),
      "tests",
    ],
    [
      "native logout",
      "native_logout",
      (target: App, _l: SignedIn, phone: SignedIn) => nativeLogout(target, phone.token),
      "tests",
    ],
    [
      "DELETE /sessions/{id}",
      "revoked_by_user",
      (t: App, laptop: SignedIn, phone: SignedIn) => revokeDevice(t, laptop, phone.id),
      FIREFOX,
    ],
    ["DELETE /sessions", "revoked_other_sessions", (t: App, laptop: SignedIn) => revokeOthers(t, laptop), FIREFOX],
  ])("%s → session_revoked (%s) through the proxy, then the end", async (_way, reason, revoke, byUserAgent) => {
    const identity = await testIdentity();
    const phone = await signedIn(identity);
    const laptop = await signedIn(identity, { ipAddress: "127.0.0.1", userAgent: FIREFOX });
    const response = await openEventStream(app, { cookie: phone.cookie });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const stream = new EventStream(response);
    expect(await stream.nextBlock()).toEqual({ retry: 2000, comments: [] });

    const streamedBy = response.headers.get("x-upstream")!;
    const revoked = await revoke(otherInstance(streamedBy), laptop, phone);
    expect([200, 204]).toContain(revoked.status);

    const row = await app.db.session.findUniqueOrThrow({ where: { id: phone.id } });
    expect(await stream.nextEvent()).toEqual({
      id: String(row.revokedAt!.getTime()),
      event: "session_revoked",
      data: { session_id: phone.id, reason, revoked_at: row.revokedAt!.toISOString(), by: { user_agent: byUserAgent } },
    });
    expect(await stream.closed()).toBe(true);
  });
});
