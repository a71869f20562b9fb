// Delivery of outbox rows to a receiver, in-process: the worker's passes are driven by hand (with
// a chosen "now" where the retry schedule or a lease matters), against the test receiver, which
// verifies every signature with the standardwebhooks library and by hand. The real server's worker
// (started with it, woken after each commit, several instances, crashes) is tested in
// tests/server/webhooks.test.ts.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { nativeLogout, revokeOthers } from "../support/revocations";
import { signedIn, signedInSessions } from "../support/sessions";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

type WorkerModule = typeof import("@/lib/server/webhooks/worker");
type DeliveryModule = typeof import("@/lib/server/webhooks/delivery");
type BacklogModule = typeof import("@/lib/server/webhooks/backlog");

const TIMEOUT_MS = 1_000;
const SCHEDULE_MS = [1_000, 2_000];
/** The claim's lease: WEBHOOK_TIMEOUT and the margin in delivery.ts. */
const LEASE_MS = TIMEOUT_MS + 5_000;

let receiver: WebhookReceiver;
let app: App;
let worker: WorkerModule;
let delivery: DeliveryModule;
let backlog: BacklogModule;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  app = await startInProcessApp({
    WEBHOOK_URLS: receiver.url,
    WEBHOOK_SECRET: receiver.secret,
    WEBHOOK_RETRY_SCHEDULE: "1s,2s",
    WEBHOOK_TIMEOUT: "1s",
  });
  // The copies configured by startInProcessApp's environment.
  worker = await import("@/lib/server/webhooks/worker");
  delivery = await import("@/lib/server/webhooks/delivery");
  backlog = await import("@/lib/server/webhooks/backlog");
});
afterAll(async () => {
  await app?.stop();
  await receiver?.down();
});
beforeEach(async () => {
  await app.db.webhookDelivery.deleteMany();
  receiver.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(receiver.rejected).toEqual([]);
});

/** One pass of a worker at `now`, waiting for the attempts it started. */
async function deliverDue(now = new Date(), on = new worker.WebhookWorker()) {
  const started = await on.tick(now);
  await Promise.all(started);
  return started.length;
}

const later = (ms: number) => new Date(Date.now() + ms);

async function revokedSessionEvent() {
  const session = await signedIn();
  await expect(await nativeLogout(app, session.token)).toHaveStatus(204);
  const row = await app.db.webhookDelivery.findFirstOrThrow({ where: { payload: { contains: session.id } } });
  return { session, row };
}

const rowOf = (id: string) => app.db.webhookDelivery.findUniqueOrThrow({ where: { id } });

describe("delivering an event", () => {
  it("a due event → one POST with the Standard Webhooks headers and the stored body; marked delivered", async () => {
    const { session, row } = await revokedSessionEvent();
    const before = Math.floor(Date.now() / 1000);

    expect(await deliverDue()).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.method).toBe("POST");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.id).toBe(row.eventId);
    expect(request!.timestamp).toBeGreaterThanOrEqual(before);
    expect(request!.timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(request!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(request!.body).toBe(row.payload);
    expect(request!.event).toMatchObject({ type: "session.revoked", data: { session_id: session.id } });
    expect(await rowOf(row.id)).toMatchObject({
      status: "delivered",
      attempts: 1,
      claimId: null,
      lastError: null,
      deliveredAt: expect.any(Date),
    });
    // Delivered: nothing is due any more.
    expect(await deliverDue(later(24 * 3_600_000))).toBe(0);
  });

  it("any 2xx is delivered", async () => {
    receiver.behaviour = () => ({ status: 200, body: "thanks" });
    const { row } = await revokedSessionEvent();
    await deliverDue();
    expect(await rowOf(row.id)).toMatchObject({ status: "delivered" });
  });

  it("a kept-alive connection dropped when reused → sent again at once on a new connection, one attempt", async () => {
    const errors = vi.spyOn(console, "error");
    await revokedSessionEvent();
    await deliverDue(); // leaves a kept-alive connection to the receiver
    const { row } = await revokedSessionEvent();
    receiver.behaviour = (request) => (receiver.attemptsOf(request.id).length === 1 ? "reset" : { status: 204 });

    await deliverDue();

    expect(receiver.attemptsOf(row.eventId)).toHaveLength(2);
    expect(await rowOf(row.id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(errors).not.toHaveBeenCalled();
  });
});

describe("failed attempts", () => {
  it("500 → retried after each wait of the schedule with the same webhook-id; after the last, failed and kept", async () => {
    receiver.behaviour = () => ({ status: 500, body: "receiver broke\n" });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { row } = await revokedSessionEvent();

    await deliverDue();
    const afterFirst = await rowOf(row.id);
    expect(afterFirst).toMatchObject({
      status: "pending",
      attempts: 1,
      claimId: null,
      lastError: "HTTP 500: receiver broke",
    });
    expect(afterFirst.nextAttemptAt.getTime() - afterFirst.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(
      SCHEDULE_MS[0]!,
    );
    // Not due before its wait is over.
    expect(await deliverDue()).toBe(0);

    expect(await deliverDue(later(SCHEDULE_MS[0]! + 100))).toBe(1);
    expect(await rowOf(row.id)).toMatchObject({ status: "pending", attempts: 2 });
    expect(await deliverDue(later(SCHEDULE_MS[1]! + 100))).toBe(1);
    expect(await rowOf(row.id)).toMatchObject({ status: "failed", attempts: 3, lastError: "HTTP 500: receiver broke" });
    expect(await deliverDue(later(24 * 3_600_000))).toBe(0);

    expect(receiver.attemptsOf(row.eventId)).toHaveLength(3);
    expect(receiver.received.every((request) => request.body === row.payload)).toBe(true);
    // One log line per failed attempt: the event and receiver, never the secret or the payload.
    const lines = errors.mock.calls.map((call) => call.join(" "));
    expect(lines).toHaveLength(3);
    for (const [index, line] of lines.entries()) {
      expect(line).toContain(
        `webhook delivery failed: ${row.eventId} to ${receiver.url}, attempt ${index + 1}: HTTP 500`,
      );
      expect(line).not.toContain(receiver.secret);
      expect(line).not.toContain(receiver.secret.slice("whsec_".length));
      expect(line).not.toContain(row.payload);
    }
    expect(lines[2]).toContain(`marked failed (npm run webhooks -- --replay ${row.eventId})`);
  });

  it("receiver down → connection refused, retried; delivered once it is back, with the same id", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await receiver.down();
    const { row } = await revokedSessionEvent();
    try {
      await deliverDue();
      expect(await rowOf(row.id)).toMatchObject({ status: "pending", lastError: "connection refused" });
    } finally {
      await receiver.up();
    }
    await deliverDue(later(SCHEDULE_MS[0]! + 100));
    expect(await rowOf(row.id)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(receiver.deliveredCounts()).toEqual(new Map([[row.eventId, 1]]));
  });

  it("a receiver that hangs → the attempt ends after WEBHOOK_TIMEOUT; events behind it are not held up", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { row: slow } = await revokedSessionEvent();
    receiver.behaviour = (request) => (request.id === slow.eventId ? "hang" : { status: 204 });
    const runner = new worker.WebhookWorker();
    let slowSettled = false;
    const slowAttempts = (await runner.tick()).map((attempt) => attempt.finally(() => (slowSettled = true)));
    expect(slowAttempts).toHaveLength(1);
    await receiver.waitFor("the slow attempt", () => receiver.attemptsOf(slow.eventId).length === 1);

    const { row: quick } = await revokedSessionEvent();
    expect(await deliverDue(new Date(), runner)).toBe(1);
    expect(await rowOf(quick.id)).toMatchObject({ status: "delivered" });
    expect(slowSettled).toBe(false);

    await Promise.all(slowAttempts);
    expect(await rowOf(slow.id)).toMatchObject({ status: "pending", lastError: `timed out after ${TIMEOUT_MS} ms` });
  });

  it("a redirect is not followed → failure, and its target is never asked", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const elsewhere = await startWebhookReceiver();
    try {
      receiver.behaviour = () => ({ status: 307, headers: { location: elsewhere.url } });
      const { row } = await revokedSessionEvent();
      await deliverDue();
      expect(await rowOf(row.id)).toMatchObject({
        status: "pending",
        lastError: "HTTP 307 (redirects are not followed)",
      });
      expect(elsewhere.received).toEqual([]);
    } finally {
      await elsewhere.down();
    }
  });

  it("an answer that never ends is not read beyond a small limit: the attempt ends at once, judged by its status", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    receiver.behaviour = () => ({ status: 500, endlessBody: true });
    const { row } = await revokedSessionEvent();
    await deliverDue();
    const { lastError } = await rowOf(row.id);
    expect(lastError).toMatch(/^HTTP 500: x{200}…$/);
  });
});

describe("claims", () => {
  it("two workers polling one outbox at once → each delivery attempted by exactly one", async () => {
    const [current] = await signedInSessions(41);
    await expect(await revokeOthers(app, current!)).toHaveStatus(200);
    const [first, second] = [new worker.WebhookWorker(), new worker.WebhookWorker()];

    const started = await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
    await Promise.all(started.flat());
    // Whatever one pass left (each takes at most 32 per receiver), the next delivers.
    await deliverDue(new Date(), first);

    const counts = receiver.deliveredCounts();
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(receiver.received).toHaveLength(40);
    expect(await app.db.webhookDelivery.count({ where: { status: "delivered", attempts: 1 } })).toBe(40);
  });

  it("a claim whose process died → taken over once its lease has expired; the late outcome is not recorded", async () => {
    const { row } = await revokedSessionEvent();
    const now = new Date();
    // A process claims the row and dies before recording anything.
    const [orphan] = await delivery.claimDueDeliveries(receiver.url, 10, now);
    expect(orphan).toMatchObject({ id: row.id, attempts: 1 });

    expect(await deliverDue(new Date(now.getTime() + LEASE_MS - 100))).toBe(0);
    expect(await deliverDue(new Date(now.getTime() + LEASE_MS + 1))).toBe(1);
    expect(await rowOf(row.id)).toMatchObject({ status: "delivered", attempts: 2 });

    expect(await delivery.recordFailure(orphan!, "late")).toEqual({ status: "claim lost" });
    expect(await rowOf(row.id)).toMatchObject({ status: "delivered", lastError: null });
  });
});

describe("operations", () => {
  it("backlog: counts, the oldest pending event, the last error; replay of failed and of one event", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    receiver.behaviour = () => ({ status: 503, body: "maintenance" });
    const { row: failing } = await revokedSessionEvent();
    await deliverDue();
    await deliverDue(later(SCHEDULE_MS[0]! + 100));
    await deliverDue(later(SCHEDULE_MS[1]! + 100));
    receiver.reset();
    const { row: waiting } = await revokedSessionEvent();
    const { row: done } = await revokedSessionEvent();
    await app.db.webhookDelivery.update({ where: { id: waiting.id }, data: { nextAttemptAt: later(60_000) } });
    await deliverDue();

    const report = await backlog.webhookBacklog();
    expect(report).toMatchObject({ pending: 1, failed: 1, delivered: 1, oldestPendingAt: waiting.createdAt });
    expect(report.receivers).toEqual([
      {
        url: receiver.url,
        configured: true,
        pending: 1,
        failed: 1,
        delivered: 1,
        oldestPendingAt: waiting.createdAt,
        lastError: { eventId: failing.eventId, error: "HTTP 503: maintenance", attempts: 3, at: expect.any(Date) },
      },
    ]);
    expect(report.failedEvents).toEqual([
      {
        eventId: failing.eventId,
        url: receiver.url,
        attempts: 3,
        lastError: "HTTP 503: maintenance",
        createdAt: failing.createdAt,
      },
    ]);

    expect(await backlog.replayWebhookDeliveries("failed")).toEqual({ requeued: 1 });
    expect(await rowOf(failing.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await backlog.replayWebhookDeliveries(done.eventId)).toEqual({ requeued: 1 });
    await deliverDue();
    expect(await rowOf(failing.id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(receiver.deliveredCounts()).toEqual(
      new Map([
        [done.eventId, 2],
        [failing.eventId, 1],
      ]),
    );

    expect(await backlog.replayWebhookDeliveries("msg_" + "0".repeat(32))).toEqual({
      error: `no event msg_${"0".repeat(32)} in the outbox`,
    });
    expect(await backlog.replayWebhookDeliveries("everything")).toEqual({
      error: '"everything" is neither an event id (msg_…) nor "failed"',
    });
  });
});
