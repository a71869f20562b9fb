// GET /sessions/events behind nginx on two instances sharing PostgreSQL (scripts/cluster.mjs), as a
// browser meets it: the stream goes through the proxy to one instance, the revocation through the
// proxy lands on either one, and the event still comes through at once (nginx does not buffer it:
// X-Accel-Buffering: no).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../support/app";
import { startClusterApp, type Cluster, type ClusterApp } from "../support/cluster";
import { EventStream, openEventStream } from "../support/event-stream";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { signedIn, testIdentity, type SignedIn } from "../support/sessions";

let app: ClusterApp;
/** The cluster as one app: requests go through nginx. */
let cluster: Cluster;

beforeAll(async () => {
  app = await startClusterApp();
  cluster = app.cluster;
});

afterAll(async () => {
  await app?.stop();
});

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/** The instance at this host, asked directly rather than through nginx. */
const instance = (host: string) => app.instance(cluster.servers.findIndex((s) => new URL(s.url).host === host));

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
