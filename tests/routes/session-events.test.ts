// GET /sessions/events (issue 12): a device's live stream about its own session. Authenticated like
// whoami; one `session_revoked` (or `session_expired`) event when the session ends, then the end of
// the stream. Revocations are reported whichever way they happen: right after this process's own
// commit, and through the database's feed (PostgreSQL NOTIFY, SQLite's poll) for the rest.
// (Across processes and instances: tests/server/session-events.test.ts, tests/cluster/.)

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { NO_CACHE } from "../support/client";
import { EventStream, openedEventStream, openEventStream } from "../support/event-stream";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { signedIn, signedInSessions, testIdentity, type SignedIn } from "../support/sessions";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ SESSION_LIFESPAN: "1h" });
});
afterAll(async () => {
  const { stopSessionWatch } = await import("@/lib/server/sessions/session-watch");
  // The PostgreSQL feed's connection, before the test database is dropped.
  await stopSessionWatch();
  await app.stop();
});

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

/** Two devices of one user: a phone (whose stream is watched) and a laptop running Firefox. */
async function phoneAndLaptop(): Promise<{ phone: SignedIn; laptop: SignedIn }> {
  const identity = await testIdentity();
  const phone = await signedIn(identity);
  const laptop = await signedIn(identity, { ipAddress: "127.0.0.1", userAgent: FIREFOX });
  return { phone, laptop };
}

const token = (session: SignedIn) => ({ "X-Session-Token": session.token });

async function expectEnvelope(response: Response, code: number) {
  await expect(response).toHaveStatus(code);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe(NO_CACHE);
  return ((await response.json()) as { error: { id?: string; code: number; reason?: string } }).error;
}

/** The session_revoked event for this session, as the row records its revocation. */
async function expectRevokedEvent(stream: EventStream, sessionId: string, reason: string, by: unknown) {
  const event = await stream.nextEvent();
  const row = await app.db.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row).toMatchObject({ active: false, revocationReason: reason });
  expect(event).toEqual({
    id: String(row.revokedAt!.getTime()),
    event: "session_revoked",
    data: { session_id: sessionId, reason, revoked_at: row.revokedAt!.toISOString(), by },
  });
  // The one event, then the end.
  expect(await stream.closed()).toBe(true);
}

describe("GET /sessions/events", () => {
  it("without a session → 401 session_inactive in the envelope, not cacheable", async () => {
    const error = await expectEnvelope(await openEventStream(app, {}), 401);
    expect(error).toMatchObject({ id: "session_inactive", code: 401 });
  });

  it("with the credentials of a revoked session → 401: a revoked session cannot open a stream", async () => {
    const { phone } = await phoneAndLaptop();
    await expect(await nativeLogout(app, phone.token)).toHaveStatus(204);
    for (const headers of [token(phone), { cookie: phone.cookie }]) {
      expect(await expectEnvelope(await openEventStream(app, headers), 401)).toMatchObject({ id: "session_inactive" });
    }
  });

  it.each([
    ["the session cookie", (s: SignedIn) => ({ cookie: s.cookie })],
    ["X-Session-Token", (s: SignedIn) => ({ "X-Session-Token": s.token })],
    ["Authorization: Bearer", (s: SignedIn) => ({ Authorization: `Bearer ${s.token}` })],
  ])("with %s of an active session → 200 text/event-stream, unbuffered, uncached, retry: first", async (_, headers) => {
    const session = await signedIn();
    const response = await openEventStream(app, headers(session));
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("cache-control")).toBe(`${NO_CACHE}, no-transform`);
    expect(response.headers.get("vary")).toBe("Cookie");
    const stream = new EventStream(response);
    expect(await stream.nextBlock()).toEqual({ retry: 2000, comments: [] });
    await stream.cancel();
  });

  it("HEAD → the stream's status and headers without a body, and no stream held open", async () => {
    const session = await signedIn();
    const response = await app.fetch("/sessions/events", { method: "HEAD", headers: token(session) });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(await response.text()).toBe("");
    const { sessionWatch } = await import("@/lib/server/sessions/session-watch");
    expect(sessionWatch().watcherCount(session.id)).toBe(0);
    await expect(await app.fetch("/sessions/events", { method: "HEAD" })).toHaveStatus(401);
  });

  describe("the session is revoked → session_revoked with the reason and the device that did it, then the end", () => {
    it("browser logout → reason logout, by the device itself", async () => {
      const { phone } = await phoneAndLaptop();
      const stream = await openedEventStream(app, token(phone));
      await expect(await browserLogout(app, phone)).toHaveStatus(204);
      await expectRevokedEvent(stream, phone.id, "logout", { user_agent: "tests" });
    });

    it("native logout → reason native_logout", async () => {
      const { phone } = await phoneAndLaptop();
      const stream = await openedEventStream(app, { cookie: phone.cookie });
      await expect(await nativeLogout(app, phone.token)).toHaveStatus(204);
      await expectRevokedEvent(stream, phone.id, "native_logout", { user_agent: "tests" });
    });

    it("DELETE /sessions/{id} from another device → reason revoked_by_user, by that device", async () => {
      const { phone, laptop } = await phoneAndLaptop();
      const stream = await openedEventStream(app, token(phone));
      await expect(await revokeDevice(app, laptop, phone.id)).toHaveStatus(204);
      await expectRevokedEvent(stream, phone.id, "revoked_by_user", { user_agent: FIREFOX });
    });

    it("DELETE /sessions from another device → reason revoked_other_sessions, by that device", async () => {
      const { phone, laptop } = await phoneAndLaptop();
      const stream = await openedEventStream(app, token(phone));
      await expect(await revokeOthers(app, laptop)).toHaveStatus(200);
      await expectRevokedEvent(stream, phone.id, "revoked_other_sessions", { user_agent: FIREFOX });
    });

    it("revoked in a transaction of its own, as an operator's tool does → the database's feed reports it", async () => {
      // No call into this process's watch after the commit: only NOTIFY (PostgreSQL) or the poll (SQLite) can tell.
      const { revokeSessionsInTransaction } = await import("@/lib/server/sessions/revocation");
      const { db } = await import("@/lib/server/database/client");
      const { phone, laptop } = await phoneAndLaptop();
      const stream = await openedEventStream(app, token(phone));
      await db().$transaction((tx) =>
        revokeSessionsInTransaction(
          tx,
          { sessionId: phone.id },
          { reason: "revoked_by_user", initiatedBySessionId: laptop.id },
        ),
      );
      await expectRevokedEvent(stream, phone.id, "revoked_by_user", { user_agent: FIREFOX });
    });
  });

  it("the feed hears every session one UPDATE revokes (450: three notifications on PostgreSQL), and nothing else", async () => {
    const { startRevocationFeed } = await import("@/lib/server/database/revocation-feed");
    const identity = await testIdentity();
    const sessions = await signedInSessions(450, identity);
    const heard: string[][] = [];
    let resynced = false;
    const feed = startRevocationFeed({
      revoked: (ids) => heard.push(ids),
      resync: () => (resynced = true),
      watching: () => true,
    });
    try {
      // PostgreSQL's feed resyncs once it listens; SQLite's poll runs from the start.
      await expect.poll(() => resynced || !app.database.url.startsWith("postgres"), { timeout: 10_000 }).toBe(true);
      // Not revocations: a session's expiry extended, and a revocation rolled back.
      await app.db.session.update({
        where: { id: sessions[0]!.id },
        data: { expiresAt: new Date(Date.now() + 60_000) },
      });
      await app.db
        .$transaction(async (tx) => {
          await tx.session.update({ where: { id: sessions[1]!.id }, data: { active: false, revokedAt: new Date() } });
          throw new Error("rolled back");
        })
        .catch(() => undefined);
      // One plain UPDATE, as someone revoking by hand in SQL would.
      await app.db.session.updateMany({
        where: { identityId: identity.id },
        data: { active: false, revokedAt: new Date() },
      });
      const ours = new Set(sessions.map((session) => session.id));
      // (SQLite's poll also reports what earlier tests of this file revoked in the last minute.)
      const heardOfOurs = () => new Set(heard.flat().filter((id) => ours.has(id))).size;
      await expect.poll(heardOfOurs, { timeout: 10_000 }).toBe(450);
      if (app.database.url.startsWith("postgres")) {
        // One notification per 200 ids (a payload holds at most 8,000 bytes), and none for the
        // extension or the rolled-back revocation.
        expect(heard.map((ids) => ids.length).sort((a, b) => b - a)).toEqual([200, 200, 50]);
      }
    } finally {
      await feed.stop();
    }
  });

  it("every stream of the session gets the event; a stream of another session hears only its own", async () => {
    const { phone, laptop } = await phoneAndLaptop();
    const phoneStreams = [await openedEventStream(app, token(phone)), await openedEventStream(app, token(phone))];
    const laptopStream = await openedEventStream(app, token(laptop));
    await expect(await revokeDevice(app, laptop, phone.id)).toHaveStatus(204);
    for (const stream of phoneStreams) await expectRevokedEvent(stream, phone.id, "revoked_by_user", expect.anything());
    // The laptop's next event is about the laptop: the phone's never reached it.
    await expect(await nativeLogout(app, laptop.token)).toHaveStatus(204);
    await expectRevokedEvent(laptopStream, laptop.id, "native_logout", { user_agent: FIREFOX });
  });

  it("the session expires while the stream is open → session_expired at its expiry, then the end", async () => {
    const session = await signedIn();
    const expiresAt = new Date(Date.now() + 1_000);
    await app.db.session.update({ where: { id: session.id }, data: { expiresAt } });
    const stream = await openedEventStream(app, token(session));
    expect(await stream.nextEvent()).toEqual({
      id: String(expiresAt.getTime()),
      event: "session_expired",
      data: { session_id: session.id, expires_at: expiresAt.toISOString() },
    });
    expect(await stream.closed()).toBe(true);
  });

  it("a revocation while the device was disconnected → its reconnect (with Last-Event-ID) is refused with 401", async () => {
    const { phone, laptop } = await phoneAndLaptop();
    const stream = await openedEventStream(app, token(phone));
    await stream.cancel();
    await expect(await revokeDevice(app, laptop, phone.id)).toHaveStatus(204);
    const reconnect = await openEventStream(app, { ...token(phone), "Last-Event-ID": "1" });
    expect(await expectEnvelope(reconnect, 401)).toMatchObject({ id: "session_inactive" });
  });

  it("more than 10 streams of one session → 429 in the envelope; a closed stream frees its place", async () => {
    const session = await signedIn();
    const streams = [];
    for (let i = 0; i < 10; i++) streams.push(await openedEventStream(app, token(session)));
    const refused = await openEventStream(app, token(session));
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await expectEnvelope(refused, 429)).toMatchObject({ code: 429, status: "Too Many Requests" });
    // Another session of the same user is not affected.
    const other = await signedIn();
    await (await openedEventStream(app, token(other))).cancel();

    await streams.pop()!.cancel();
    const again = await openedEventStream(app, token(session));
    await Promise.all([again, ...streams].map((stream) => stream.cancel()));
    const { sessionWatch } = await import("@/lib/server/sessions/session-watch");
    expect(sessionWatch().watcherCount(session.id)).toBe(0);
  });
});
