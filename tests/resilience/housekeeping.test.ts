// Housekeeping deletes what ended (or was delivered) longer ago than the retention, in batches, and
// nothing else; a token whose session was deleted is then unknown to native logout (403).

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteEndedRecords } from "@/lib/server/housekeeping";
import { startServerApp, type ServerApp } from "../support/app";
import { registerNative, uniqueEmail } from "../support/client";
import { signedInSessions } from "../support/sessions";

let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp();
});
afterAll(() => app?.stop());

const DAY = 24 * 60 * 60 * 1000;
const RETENTION = 7 * DAY;

function nativeLogout(token: string) {
  return app.fetch(`/self-service/logout/api`, {
    method: "DELETE",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ session_token: token }),
  });
}

describe("housekeeping", () => {
  it("deletes only sessions and errors past the retention, flows an hour after they expired", async () => {
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const sessions = await signedInSessions(1_206);
    const [active, revokedRecently, expiredRecently, expiredLongAgo, identityOnly, ...revokedLongAgo] = sessions;
    await app.db.session.update({ where: { id: revokedRecently!.id }, data: { active: false, revokedAt: ago(DAY) } });
    await app.db.session.update({ where: { id: expiredRecently!.id }, data: { expiresAt: ago(DAY) } });
    await app.db.session.update({ where: { id: expiredLongAgo!.id }, data: { expiresAt: ago(RETENTION + DAY) } });
    // More than one batch of long-revoked sessions.
    await app.db.session.updateMany({
      where: { id: { in: revokedLongAgo.map((s) => s.id) } },
      data: { active: false, revokedAt: ago(RETENTION + DAY) },
    });
    const flow = (id: string, expiresAt: Date) => ({
      id,
      kind: "login",
      type: "api",
      requestUrl: "http://x/",
      issuedAt: ago(RETENTION * 2),
      expiresAt,
    });
    const oldFlow = crypto.randomUUID();
    const recentFlow = crypto.randomUUID();
    await app.db.selfServiceFlow.createMany({
      // A flow is kept for an hour after it expired (it answers 410, not 404), then deleted.
      data: [flow(oldFlow, ago(2 * 60 * 60 * 1000)), flow(recentFlow, ago(30 * 60 * 1000))],
    });
    const oldError = crypto.randomUUID();
    const recentError = crypto.randomUUID();
    await app.db.selfServiceError.createMany({
      data: [
        { id: oldError, error: "{}", createdAt: ago(RETENTION + DAY) },
        { id: recentError, error: "{}", createdAt: ago(DAY) },
      ],
    });
    // Delivered webhook events go after the retention; pending and failed ones are never deleted.
    const delivery = (status: string, deliveredAt: Date | null) => ({
      id: crypto.randomUUID(),
      eventId: `msg_${crypto.randomUUID()}`,
      url: "http://receiver.example/",
      type: "session.revoked",
      payload: "{}",
      status,
      nextAttemptAt: ago(RETENTION * 2),
      createdAt: ago(RETENTION * 2),
      deliveredAt,
    });
    const [deliveredLongAgo, deliveredRecently, pendingOld, failedOld] = [
      delivery("delivered", ago(RETENTION + DAY)),
      delivery("delivered", ago(DAY)),
      delivery("pending", null),
      delivery("failed", null),
    ];
    await app.db.webhookDelivery.createMany({ data: [deliveredLongAgo, deliveredRecently, pendingOld, failedOld] });
    // Rate-limit counters go once their window is over.
    const counter = (key: string, expiresAt: Date) => ({ key, count: 3, lastCountedAt: ago(DAY), expiresAt });
    await app.db.rateLimit.createMany({
      data: [counter("flows:192.0.2.1:1", ago(1_000)), counter("flows:192.0.2.1:2", new Date(now.getTime() + DAY))],
    });

    const deleted = await deleteEndedRecords({ client: app.db, now, retentionMs: RETENTION });

    expect(deleted).toEqual({
      sessions: revokedLongAgo.length + 1,
      flows: 1,
      errors: 1,
      webhookDeliveries: 1,
      rateLimits: 1,
    });
    expect((await app.db.rateLimit.findMany()).map((row) => row.key)).toEqual(["flows:192.0.2.1:2"]);
    const remaining = new Set((await app.db.session.findMany({ select: { id: true } })).map((s) => s.id));
    for (const kept of [active, revokedRecently, expiredRecently, identityOnly])
      expect(remaining.has(kept!.id)).toBe(true);
    for (const gone of [expiredLongAgo, ...revokedLongAgo]) expect(remaining.has(gone!.id)).toBe(false);
    expect(await app.db.selfServiceFlow.findUnique({ where: { id: oldFlow } })).toBeNull();
    expect(await app.db.selfServiceFlow.findUnique({ where: { id: recentFlow } })).not.toBeNull();
    expect(await app.db.selfServiceError.findUnique({ where: { id: oldError } })).toBeNull();
    expect(await app.db.selfServiceError.findUnique({ where: { id: recentError } })).not.toBeNull();
    const deliveries = await app.db.webhookDelivery.findMany({ select: { id: true } });
    expect(deliveries.map((row) => row.id).sort()).toEqual([deliveredRecently.id, pendingOld.id, failedOld.id].sort());
  });

  it("several instances at once delete each row once, without deadlocks", async () => {
    const sessions = await signedInSessions(3_000);
    const identityId = sessions[0]!.identityId;
    await app.db.session.updateMany({
      where: { identityId },
      data: { active: false, revokedAt: new Date(Date.now() - RETENTION - DAY) },
    });
    // Four housekeepers with connections of their own, as four instances' timers would be.
    const { createPrismaClient } = await import("@/lib/server/database/client");
    const clients = Array.from({ length: 4 }, () => createPrismaClient(app.database.url));
    try {
      const results = await Promise.all(clients.map((client) => deleteEndedRecords({ client })));
      expect(results.reduce((sum, result) => sum + result.sessions, 0)).toBe(sessions.length);
      expect(await app.db.session.count({ where: { identityId } })).toBe(0);
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
  });

  it("npm run db:cleanup deletes a long-revoked session; native logout of its token → 403", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail("cleanup"));
    await expect(await nativeLogout(session_token)).toHaveStatus(204);
    await expect(await nativeLogout(session_token)).toHaveStatus(204);
    await app.db.session.update({
      where: { id: session.id },
      data: { revokedAt: new Date(Date.now() - RETENTION - DAY) },
    });

    const output = execFileSync("npx", ["tsx", "scripts/cleanup.ts"], {
      env: { ...process.env, DATABASE_URL: app.database.url, RETENTION: "168h" },
      encoding: "utf8",
    });

    expect(output).toMatch(/Deleted [1-9]\d* sessions/);
    expect(await app.db.session.findUnique({ where: { id: session.id } })).toBeNull();
    const response = await nativeLogout(session_token);
    await expect(response).toHaveStatus(403);
    const { error } = (await response.json()) as { error: { reason: string } };
    expect(error.reason).toBe("The provided Ory Session Token could not be found, is invalid, or otherwise malformed.");
  });

  it("the in-server timer (CLEANUP_INTERVAL) deletes ended sessions while the app runs", async () => {
    const timed = await startServerApp({ CLEANUP_INTERVAL: "100ms", RETENTION: "1ms" });
    try {
      const { session_token, session } = await registerNative(timed, uniqueEmail("timer"));
      const logout = () =>
        timed.fetch(`/self-service/logout/api`, {
          method: "DELETE",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ session_token }),
        });
      await expect(await logout()).toHaveStatus(204);
      // Wait for a tick of the timer (bounded, so a timer that never runs fails the test).
      const poll = { timeout: 10_000, interval: 50 };
      await expect.poll(() => timed.db.session.findUnique({ where: { id: session.id } }), poll).toBeNull();
      await expect(await logout()).toHaveStatus(403);
      // The line is written once the whole pass (sessions, then flows, errors, …) has finished.
      await expect.poll(() => timed.logs(), poll).toMatch(/housekeeping: deleted [1-9]\d* sessions/);
    } finally {
      await timed.stop();
    }
  });
});
