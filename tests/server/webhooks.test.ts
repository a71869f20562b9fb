// Webhooks from the production server (issue 11): the worker each server process runs delivers
// every revocation's session.revoked event to a receiver that verifies each signature with the
// standardwebhooks library; the outbox survives SIGKILL; retries keep the webhook-id; a slow
// receiver holds up nothing else; two instances on one database deliver a burst exactly once.
// (`npm run webhooks`, which shows and re-queues the backlog: tests/server/operator-cli.test.ts.)

import { describe, expect, it } from "vitest";
import type { ServerApp } from "../support/app";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { signedIn, signedInSessions, testIdentity, type SignedIn } from "../support/sessions";
import { webhookServers } from "../support/webhook-servers";

const { receiver, serverFor } = webhookServers();

/** Runs `task` over `items`, `concurrency` at a time. */
async function inParallel<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** Waits until the server has recorded every delivery (it does so right after the receiver answers). */
async function allRecordedDelivered(app: ServerApp): Promise<number> {
  const left = () => app.db.webhookDelivery.count({ where: { status: { not: "delivered" } } });
  for (let i = 0; i < 200 && (await left()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return left();
}

const eventOf = (sessionId: string) => receiver.deliveredEvents().find((r) => r.event.data.session_id === sessionId);

describe("delivery from the server", { timeout: 60_000 }, () => {
  it("every way of revoking → one signed session.revoked event per session, delivered once, with its reason", async () => {
    const app = await serverFor();
    const identity = await testIdentity();
    const [browser, native, current, device, other1, other2] = await signedInSessions(6, identity);

    await expect(await browserLogout(app, browser!)).toHaveStatus(204);
    await expect(await nativeLogout(app, native!.token)).toHaveStatus(204);
    await expect(await revokeDevice(app, current!, device!.id)).toHaveStatus(204);
    const others = await revokeOthers(app, current!);
    await expect(others).toHaveStatus(200);
    expect(await others.json()).toEqual({ count: 2 });
    // Repeats: answered the same, announced never.
    await expect(await nativeLogout(app, native!.token)).toHaveStatus(204);
    await expect(await revokeDevice(app, current!, device!.id)).toHaveStatus(204);

    await receiver.waitFor("five events", () => receiver.deliveredEvents().length >= 5);
    const expected: [SignedIn, string, string][] = [
      [browser!, "logout", browser!.id],
      [native!, "native_logout", native!.id],
      [device!, "revoked_by_user", current!.id],
      [other1!, "revoked_other_sessions", current!.id],
      [other2!, "revoked_other_sessions", current!.id],
    ];
    for (const [session, reason, initiatedBy] of expected) {
      const row = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
      expect(eventOf(session.id)?.event).toEqual({
        type: "session.revoked",
        timestamp: row.revokedAt!.toISOString(),
        data: {
          session_id: session.id,
          identity_id: identity.id,
          reason,
          revoked_at: row.revokedAt!.toISOString(),
          initiated_by_session_id: initiatedBy,
        },
      });
    }
    // Nothing more arrives: a moment for a stray duplicate or an event for a repeat to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.received).toHaveLength(5);
    expect([...receiver.deliveredCounts().values()]).toEqual([1, 1, 1, 1, 1]);
    expect(await allRecordedDelivered(app)).toBe(0);
  });

  it("a receiver answering 500 → retried on the schedule with the same webhook-id, one log line per failure", async () => {
    let failuresLeft = 2;
    receiver.behaviour = () => (failuresLeft-- > 0 ? { status: 500, body: "not now" } : { status: 204 });
    const app = await serverFor({ WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms" });
    const session = await signedIn();
    await expect(await nativeLogout(app, session.token)).toHaveStatus(204);

    await receiver.waitFor("the delivery", () => eventOf(session.id) !== undefined);
    const { id } = eventOf(session.id)!;
    expect(receiver.attemptsOf(id).map((request) => request.answered)).toEqual([500, 500, 204]);
    const failures = app
      .logs()
      .split("\n")
      .filter((line) => line.includes("webhook delivery failed"));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain(`webhook delivery failed: ${id} to ${receiver.url}, attempt 1: HTTP 500: not now`);
    expect(app.logs()).not.toContain(receiver.secret.slice("whsec_".length));
  });

  it("a receiver that hangs on one event → the others are delivered meanwhile", async () => {
    const app = await serverFor({ WEBHOOK_TIMEOUT: "3s" });
    const [slow, ...quick] = await signedInSessions(6);
    receiver.behaviour = (request) => (request.event.data.session_id === slow!.id ? "hang" : { status: 204 });

    await expect(await nativeLogout(app, slow!.token)).toHaveStatus(204);
    await receiver.waitFor("the slow attempt", () => receiver.received.length === 1);
    for (const session of quick) await expect(await nativeLogout(app, session.token)).toHaveStatus(204);

    await receiver.waitFor("the other events", () => quick.every((session) => eventOf(session.id) !== undefined));
    // Still hanging: the quick ones did not wait for it.
    expect(eventOf(slow!.id)).toBeUndefined();
    expect(receiver.attemptsOf(receiver.received[0]!.id)).toHaveLength(1);
  });
});

describe("crashes", { timeout: 60_000 }, () => {
  it("SIGKILL after the 204, with the attempt in flight → after a restart the event is delivered, same id", async () => {
    receiver.behaviour = () => "hang";
    const env = { WEBHOOK_TIMEOUT: "1s" };
    const first = await serverFor(env);
    const session = await signedIn();
    await expect(await nativeLogout(first, session.token)).toHaveStatus(204);
    await receiver.waitFor("the first attempt", () => receiver.received.length === 1);
    const { id } = receiver.received[0]!;

    await first.kill("SIGKILL");
    receiver.behaviour = () => ({ status: 204 });
    const second = await serverFor(env);

    // The dead process's claim runs out (WEBHOOK_TIMEOUT + 5 s), then the new one delivers.
    await receiver.waitFor("the delivery after the restart", () => receiver.deliveredCounts().get(id) === 1, 20_000);
    expect(eventOf(session.id)?.id).toBe(id);
    expect(await allRecordedDelivered(second)).toBe(0);
    expect(await second.db.webhookDelivery.findFirstOrThrow({ where: { eventId: id } })).toMatchObject({
      status: "delivered",
      attempts: 2,
    });
  });

  it(
    "SIGKILL during a stream of logouts → after a restart, an event for exactly the sessions that were revoked",
    { timeout: 90_000 },
    async () => {
      const env = { WEBHOOK_TIMEOUT: "1s" };
      const first = await serverFor(env);
      const sessions = await signedInSessions(300);
      const answered = new Set<string>();
      await inParallel(sessions, 8, async (session, index) => {
        try {
          const response = index % 2 ? await nativeLogout(first, session.token) : await browserLogout(first, session);
          await response.arrayBuffer();
          if (response.status === 204) answered.add(session.id);
        } catch {
          // Cut off by the kill: committed or not, the outbox agrees with the session row.
        }
        if (answered.size === 100) void first.kill("SIGKILL");
      });
      await first.kill("SIGKILL");
      const second = await serverFor(env);

      const ids = sessions.map((session) => session.id);
      const rows = await second.db.session.findMany({
        where: { id: { in: ids }, active: false },
        select: { id: true },
      });
      const revoked = new Set(rows.map((row) => row.id));
      for (const id of answered) expect(revoked.has(id)).toBe(true);
      await receiver.waitFor(
        "an event for every revoked session",
        () => receiver.deliveredEvents().length >= revoked.size,
        30_000,
      );
      const announced = new Set(receiver.deliveredEvents().map((request) => String(request.event.data.session_id)));
      expect([...announced].sort()).toEqual([...revoked].sort());
      expect(await allRecordedDelivered(second)).toBe(0);
    },
  );
});

describe("several instances", () => {
  it(
    "two servers on one database, a burst of 1,000 revocations → each event delivered exactly once",
    { timeout: 120_000 },
    async () => {
      const [a, b] = [await serverFor(), await serverFor()];
      const identity = await testIdentity();
      const [current, ...everywhere] = await signedInSessions(501, identity);
      const natives = await signedInSessions(500);

      // 500 events committed at once on A (sign out everywhere else), 500 logouts on B alongside.
      const [others] = await Promise.all([
        revokeOthers(a, current!),
        inParallel(natives, 16, async (session) => {
          const response = await nativeLogout(b, session.token);
          expect(response.status).toBe(204);
        }),
      ]);
      expect(await others.json()).toEqual({ count: 500 });

      await receiver.waitFor("1,000 events", () => receiver.deliveredEvents().length >= 1_000, 60_000);
      const ids = new Set([...everywhere, ...natives].map((session) => session.id));
      const announced = receiver.deliveredEvents().map((request) => String(request.event.data.session_id));
      expect(new Set(announced)).toEqual(ids);
      // Exactly once: no attempt made twice, none failed.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(receiver.received).toHaveLength(1_000);
      expect(await allRecordedDelivered(a)).toBe(0);
      expect(await a.db.webhookDelivery.count({ where: { status: "delivered", attempts: 1 } })).toBe(1_000);
    },
  );
});
