// The outbox as operators see it (`npm run webhooks`, scripts/webhooks.ts): what is waiting, what
// failed and why, and re-queuing failed (or any) events. Plain queries over the outbox table, so
// the CLI works against a running app's database from any machine that can reach it.

import { config } from "../config";
import { db } from "../database/client";

export type ReceiverBacklog = {
  url: string;
  /** Whether WEBHOOK_URLS still lists it: rows for a receiver no longer listed are kept, not sent. */
  configured: boolean;
  pending: number;
  failed: number;
  delivered: number;
  /** When the oldest pending event of this receiver was written. */
  oldestPendingAt: Date | null;
  lastError: { eventId: string; error: string; attempts: number; at: Date | null } | null;
};

export type FailedEvent = { eventId: string; url: string; attempts: number; lastError: string | null; createdAt: Date };

export type WebhookBacklog = {
  pending: number;
  failed: number;
  delivered: number;
  oldestPendingAt: Date | null;
  receivers: ReceiverBacklog[];
  /** The most recent failed events, newest first (at most FAILED_LISTED). */
  failedEvents: FailedEvent[];
};

const FAILED_LISTED = 20;

/** Counts per receiver and status, the oldest pending event, the last error, the latest failures. */
export async function webhookBacklog(): Promise<WebhookBacklog> {
  const groups = await db().webhookDelivery.groupBy({
    by: ["url", "status"],
    _count: { _all: true },
    _min: { createdAt: true },
  });
  const configured = config().webhookUrls.map((url) => url.href);
  const urls = [...new Set([...configured, ...groups.map((group) => group.url)])];
  const receivers = await Promise.all(
    urls.map(async (url): Promise<ReceiverBacklog> => {
      const of = (status: string) => groups.find((group) => group.url === url && group.status === status);
      const last = await db().webhookDelivery.findFirst({
        where: { url, status: { in: ["pending", "failed"] }, lastError: { not: null } },
        orderBy: { lastAttemptAt: "desc" },
        select: { eventId: true, lastError: true, attempts: true, lastAttemptAt: true },
      });
      return {
        url,
        configured: configured.includes(url),
        pending: of("pending")?._count._all ?? 0,
        failed: of("failed")?._count._all ?? 0,
        delivered: of("delivered")?._count._all ?? 0,
        oldestPendingAt: of("pending")?._min.createdAt ?? null,
        lastError: last && {
          eventId: last.eventId,
          error: last.lastError ?? "",
          attempts: last.attempts,
          at: last.lastAttemptAt,
        },
      };
    }),
  );
  const failedEvents = await db().webhookDelivery.findMany({
    where: { status: "failed" },
    orderBy: { createdAt: "desc" },
    take: FAILED_LISTED,
    select: { eventId: true, url: true, attempts: true, lastError: true, createdAt: true },
  });
  const oldest = receivers
    .map((receiver) => receiver.oldestPendingAt)
    .filter((at): at is Date => at !== null)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const sum = (pick: (receiver: ReceiverBacklog) => number) => receivers.reduce((total, r) => total + pick(r), 0);
  return {
    pending: sum((r) => r.pending),
    failed: sum((r) => r.failed),
    delivered: sum((r) => r.delivered),
    oldestPendingAt: oldest ?? null,
    receivers,
    failedEvents,
  };
}

export type ReplayResult = { requeued: number } | { error: string };

/** An event id as the app makes them (events.ts), so a typo is told apart from a missing event. */
const EVENT_ID = /^msg_[0-9a-f]{32}$/;

/**
 * Re-queues deliveries for an attempt now, with a fresh retry schedule: `"failed"` every failed one,
 * or every delivery of one event by its `webhook-id` (failed, delivered or waiting for a retry; the
 * receiver sees the same id again and may drop it as a duplicate). A delivery being attempted right
 * now is left to that attempt, so a replay never causes two attempts at once.
 */
export async function replayWebhookDeliveries(target: string, now = new Date()): Promise<ReplayResult> {
  const requeue = { status: "pending", attempts: 0, nextAttemptAt: now, claimId: null, deliveredAt: null };
  if (target === "failed") {
    const { count } = await db().webhookDelivery.updateMany({ where: { status: "failed" }, data: requeue });
    return { requeued: count };
  }
  if (!EVENT_ID.test(target)) return { error: `"${target}" is neither an event id (msg_…) nor "failed"` };
  const { count } = await db().webhookDelivery.updateMany({
    // Not one whose claim is live; an expired claim (its process died) may be taken over by anyone.
    where: { eventId: target, NOT: { status: "pending", claimId: { not: null }, nextAttemptAt: { gt: now } } },
    data: requeue,
  });
  if (count > 0) return { requeued: count };
  const exists = await db().webhookDelivery.count({ where: { eventId: target } });
  return {
    error: exists ? `event ${target} is being delivered right now` : `no event ${target} in the outbox`,
  };
}
