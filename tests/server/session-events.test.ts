// GET /sessions/events across processes (issue 12): two production servers on one database (SQLite:
// two processes on one file; PostgreSQL: two instances). A device's stream is open on A; its session
// is revoked through B in each of the four ways; the event reaches the stream on A and the stream
// ends. (In-process, on both databases: tests/routes/session-events.test.ts; behind nginx:
// tests/cluster/session-events.test.ts.)

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { EventStream, openedEventStream, openEventStream } from "../support/event-stream";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { signedIn, testIdentity, type SignedIn } from "../support/sessions";

let a: ServerApp;
let b: ServerApp;
beforeAll(async () => {
  a = await startServerApp();
  b = await startServerApp({}, { database: a.database });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

async function phoneAndLaptop(): Promise<{ phone: SignedIn; laptop: SignedIn }> {
  const identity = await testIdentity();
  return {
    phone: await signedIn(identity),
    laptop: await signedIn(identity, { ipAddress: "127.0.0.1", userAgent: FIREFOX }),
  };
}

async function expectRevokedEvent(stream: EventStream, sessionId: string, reason: string, by: unknown) {
  const event = await stream.nextEvent();
  const row = await a.db.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(event).toEqual({
    id: String(row.revokedAt!.getTime()),
    event: "session_revoked",
    data: { session_id: sessionId, reason, revoked_at: row.revokedAt!.toISOString(), by },
  });
  expect(await stream.closed()).toBe(true);
}

describe("a stream on instance A, the revocation through instance B", () => {
  it.each([
    ["browser logout", "logout", (_laptop: SignedIn, phone: SignedIn) => browserLogout(b, phone), "tests"],
    ["native logout", "native_logout", (_laptop: SignedIn, phone: SignedIn) => nativeLogout(b, phone.token), "tests"],
    [
      "DELETE /sessions/{id}",
      "revoked_by_user",
      (laptop: SignedIn, phone: SignedIn) => revokeDevice(b, laptop, phone.id),
      FIREFOX,
    ],
    ["DELETE /sessions", "revoked_other_sessions", (laptop: SignedIn) => revokeOthers(b, laptop), FIREFOX],
  ])("%s → session_revoked (%s) on A, then the stream ends", async (_way, reason, revoke, byUserAgent) => {
    const { phone, laptop } = await phoneAndLaptop();
    const stream = await openedEventStream(a, { cookie: phone.cookie });
    const response = await revoke(laptop, phone);
    expect([200, 204]).toContain(response.status);
    await expectRevokedEvent(stream, phone.id, reason, { user_agent: byUserAgent });
  });

  it("streams of one session on both instances: each gets the event", async () => {
    const { phone, laptop } = await phoneAndLaptop();
    const onA = await openedEventStream(a, { "X-Session-Token": phone.token });
    const onB = await openedEventStream(b, { Authorization: `Bearer ${phone.token}` });
    await expect(await revokeDevice(a, laptop, phone.id)).toHaveStatus(204);
    await expectRevokedEvent(onA, phone.id, "revoked_by_user", { user_agent: FIREFOX });
    await expectRevokedEvent(onB, phone.id, "revoked_by_user", { user_agent: FIREFOX });
  });

  it("a session revoked through B cannot open a stream on A → 401", async () => {
    const { phone } = await phoneAndLaptop();
    await expect(await nativeLogout(b, phone.token)).toHaveStatus(204);
    const response = await openEventStream(a, { cookie: phone.cookie });
    await expect(response).toHaveStatus(401);
    expect(await response.json()).toMatchObject({ error: { id: "session_inactive" } });
  });

  it("not buffered on the way: the first bytes (retry:) arrive before anything happens", async () => {
    const { phone } = await phoneAndLaptop();
    const response = await openEventStream(a, { cookie: phone.cookie, "Accept-Encoding": "gzip, br" });
    await expect(response).toHaveStatus(200);
    // Next.js compresses answers; a compressed stream would sit in the compressor's buffer.
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(await new EventStream(response).nextBlock()).toEqual({ retry: 2000, comments: [] });
  });
});

describe("shutting down", () => {
  it("SIGTERM with a stream open → the stream ends, the server exits without waiting for it", async () => {
    const own = await startServerApp({}, { database: a.database });
    const { phone } = await phoneAndLaptop();
    const stream = await openedEventStream(own, { cookie: phone.cookie });
    process.kill(own.pid, "SIGTERM");
    // Ended by the server, well before server.mjs's 10 s limit for a graceful stop would force it.
    expect(await stream.closed()).toBe(true);
    await own.stop();
    expect(own.logs()).toContain("SIGTERM received");
  });
});
