// Every revocation writes its session.revoked event in the same transaction (issue 11's contract):
// one per session that this request ended, for every receiver, with the reason and the initiating
// session recorded on the session row too; nothing for a session that had ended already; neither
// the revocation nor the event when the other cannot be written. The outbox rows are read here;
// delivery is tested in webhook-delivery.test.ts and against the real server.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { logoutPath } from "../support/client";
import { signedIn, signedInSessions, testIdentity, type SignedIn } from "../support/sessions";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { newWebhookSecret } from "../support/webhook-receiver";

// Nothing listens there: in-process, no delivery worker runs, so the rows stay pending.
const RECEIVERS = ["http://127.0.0.1:9/first", "https://hooks.example.com/second?key=x"];

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ WEBHOOK_URLS: RECEIVERS.join(", "), WEBHOOK_SECRET: newWebhookSecret() });
});
afterAll(() => app?.stop());

/** The outbox rows of the events about one session. */
async function eventsAbout(sessionId: string) {
  const rows = await app.db.webhookDelivery.findMany({ orderBy: { url: "asc" } });
  return rows.filter(
    (row) => (JSON.parse(row.payload) as { data: { session_id: string } }).data.session_id === sessionId,
  );
}

/** The one event about a session: one row per receiver, same id and body. */
async function theEventAbout(sessionId: string) {
  const rows = await eventsAbout(sessionId);
  expect(rows.map((row) => row.url).sort()).toEqual([...RECEIVERS].sort());
  expect(new Set(rows.map((row) => row.eventId)).size).toBe(1);
  expect(new Set(rows.map((row) => row.payload)).size).toBe(1);
  for (const row of rows) {
    expect(row).toMatchObject({ type: "session.revoked", status: "pending", attempts: 0, claimId: null });
    expect(row.eventId).toMatch(/^msg_[0-9a-f]{32}$/);
  }
  return { eventId: rows[0]!.eventId, body: JSON.parse(rows[0]!.payload) as Record<string, unknown> };
}

/** The session row records how it ended, and the event says the same. */
async function expectRevoked(session: SignedIn, reason: string, initiatedBy: string) {
  const row = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
  expect(row).toMatchObject({ active: false, revocationReason: reason, revokedBySessionId: initiatedBy });
  const { body } = await theEventAbout(session.id);
  const revokedAt = row.revokedAt!.toISOString();
  expect(body).toEqual({
    type: "session.revoked",
    timestamp: revokedAt,
    data: {
      session_id: session.id,
      identity_id: session.identityId,
      reason,
      revoked_at: revokedAt,
      initiated_by_session_id: initiatedBy,
    },
  });
}

describe("session.revoked events in the outbox", () => {
  it("browser logout → 204 and one event, reason logout, initiated by the session itself", async () => {
    const session = await signedIn();
    await expect(await browserLogout(app, session)).toHaveStatus(204);
    await expectRevoked(session, "logout", session.id);
  });

  it("native logout → 204 and one event, reason native_logout, initiated by the session itself", async () => {
    const session = await signedIn();
    await expect(await nativeLogout(app, session.token)).toHaveStatus(204);
    await expectRevoked(session, "native_logout", session.id);
  });

  it("DELETE /sessions/{id} → 204 and one event, reason revoked_by_user, initiated by the current session", async () => {
    const [current, other] = await signedInSessions(2);
    await expect(await revokeDevice(app, current!, other!.id)).toHaveStatus(204);
    await expectRevoked(other!, "revoked_by_user", current!.id);
    expect(await eventsAbout(current!.id)).toEqual([]);
  });

  it("DELETE /sessions → one event per revoked session, reason revoked_other_sessions; none for this one or others' sessions", async () => {
    const identity = await testIdentity();
    const [current, ...others] = await signedInSessions(4, identity);
    const alreadyEnded = others[2]!;
    await expect(await nativeLogout(app, alreadyEnded.token)).toHaveStatus(204);
    const stranger = await signedIn();

    const response = await revokeOthers(app, current!);
    await expect(response).toHaveStatus(200);
    expect(await response.json()).toEqual({ count: 2 });

    for (const other of others.slice(0, 2)) await expectRevoked(other, "revoked_other_sessions", current!.id);
    const ids = await Promise.all(others.slice(0, 2).map(async (other) => (await theEventAbout(other.id)).eventId));
    expect(new Set(ids).size).toBe(2);
    // The one that had ended keeps its own record and its one event.
    await expectRevoked(alreadyEnded, "native_logout", alreadyEnded.id);
    expect(await eventsAbout(current!.id)).toEqual([]);
    expect(await eventsAbout(stranger.id)).toEqual([]);
  });

  it("repeating a logout of an ended session, in any way → the same answer, no new event, the record unchanged", async () => {
    const [current, session] = await signedInSessions(2);
    await expect(await nativeLogout(app, session!.token)).toHaveStatus(204);
    const before = await app.db.session.findUniqueOrThrow({ where: { id: session!.id } });
    const outbox = await app.db.webhookDelivery.count();

    await expect(await nativeLogout(app, session!.token)).toHaveStatus(204);
    await expect(await revokeDevice(app, current!, session!.id)).toHaveStatus(204);
    // The same logout URL used twice: the second finds the session ended.
    const path = await logoutPath(app, current!.cookie);
    const logoutCurrent = () => app.fetch(path, { headers: { cookie: current!.cookie, accept: "application/json" } });
    await expect(await logoutCurrent()).toHaveStatus(204);
    await expect(await logoutCurrent()).toHaveStatus(204);

    expect(await app.db.session.findUniqueOrThrow({ where: { id: session!.id } })).toEqual(before);
    // Exactly one more event: the first browser logout of `current`.
    expect(await app.db.webhookDelivery.count()).toBe(outbox + RECEIVERS.length);
    await theEventAbout(session!.id);
  });

  it("fifty simultaneous logouts of one session → all 204, one event", async () => {
    const session = await signedIn();
    const responses = await Promise.all(Array.from({ length: 50 }, () => nativeLogout(app, session.token)));
    expect(responses.map((response) => response.status).filter((status) => status !== 204)).toEqual([]);
    await theEventAbout(session.id);
  });

  it("native logout of an expired session → 204, marked revoked, no event (it had ended already)", async () => {
    const session = await signedIn();
    await app.db.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(await nativeLogout(app, session.token)).toHaveStatus(204);
    expect(await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({
      active: false,
      revocationReason: "native_logout",
    });
    expect(await eventsAbout(session.id)).toEqual([]);
  });

  it("an event carries ids only: no token, no cookie, no email", async () => {
    const identity = await testIdentity(`secretive-${crypto.randomUUID()}@example.com`);
    const session = await signedIn(identity);
    await expect(await browserLogout(app, session)).toHaveStatus(204);
    const rows = await eventsAbout(session.id);
    for (const row of rows) {
      for (const secret of [session.token, session.cookie.split("=")[1]!, identity.email, "example.com"]) {
        expect(row.payload).not.toContain(secret);
      }
    }
  });
});

describe("the revocation and its event commit together", () => {
  it("the outbox cannot be written → 500, and the session is still active (nothing committed)", async () => {
    const session = await signedIn();
    // Portable DDL (SQLite and PostgreSQL): the event insert fails inside the transaction.
    await app.db.$executeRawUnsafe('ALTER TABLE "webhook_deliveries" RENAME TO "webhook_deliveries_away"');
    try {
      const response = await nativeLogout(app, session.token);
      await expect(response).toHaveStatus(500);
    } finally {
      await app.db.$executeRawUnsafe('ALTER TABLE "webhook_deliveries_away" RENAME TO "webhook_deliveries"');
    }
    expect(await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({
      active: true,
      revokedAt: null,
      revocationReason: null,
    });
    // And once it can be written, the same logout goes through with its event.
    await expect(await nativeLogout(app, session.token)).toHaveStatus(204);
    await expectRevoked(session, "native_logout", session.id);
  });
});
