// Housekeeping: deletes what nobody can use any more, so the database stays bounded however long
// the app runs. Records of what happened are kept for RETENTION (a revoked session still shows on
// the user's device list and in audits for a while); what anyone can make the app write for free
// goes sooner: an expired flow an hour after it expired (until then it answers 410 rather than
// 404), a rate-limit counter once its window is over. All in small batches, so no single write
// holds SQLite's lock for long.

import { config } from "./config";
import { db, type PrismaClient } from "./database/client";

/** Rows per delete: small enough that a logout waiting behind a batch waits milliseconds. */
const BATCH_SIZE = 500;

/** How long an expired flow is kept, to answer "expired" instead of "not found". */
const EXPIRED_FLOW_KEPT_MS = 60 * 60_000;

export type HousekeepingResult = {
  sessions: number;
  flows: number;
  errors: number;
  webhookDeliveries: number;
  rateLimits: number;
};

export type HousekeepingOptions = { client?: PrismaClient; now?: Date; retentionMs?: number };

/** Deletes rows chosen by `findIds` batch by batch until none are left; returns how many. */
async function deleteInBatches(
  findIds: (take: number) => Promise<string[]>,
  deleteIds: (ids: string[]) => Promise<{ count: number }>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await findIds(BATCH_SIZE);
    if (ids.length === 0) return total;
    total += (await deleteIds(ids)).count;
    if (ids.length < BATCH_SIZE) return total;
    // Let requests waiting for the database in this process go first.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

/**
 * Deletes sessions that ended (expired or revoked) more than `retentionMs` ago, flows that expired
 * more than an hour ago, stored self-service errors older than `retentionMs`, webhook deliveries
 * that succeeded more than `retentionMs` ago (pending and failed ones are never deleted: an event is
 * not dropped silently), and rate-limit counters whose window is over. A deleted session's token is
 * then unknown: native logout answers 403 for it, as for any unknown token.
 */
export async function deleteEndedRecords(options: HousekeepingOptions = {}): Promise<HousekeepingResult> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const retentionMs = options.retentionMs ?? config().retentionMs;
  const cutoff = new Date(now.getTime() - retentionMs);

  const endedSessions = { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] };
  const sessions = await deleteInBatches(
    async (take) => ids(await client.session.findMany({ where: endedSessions, select: { id: true }, take })),
    // The condition is repeated so a row that changed in between is never deleted by mistake.
    (batch) => client.session.deleteMany({ where: { id: { in: batch }, ...endedSessions } }),
  );
  const expiredFlows = { expiresAt: { lt: new Date(now.getTime() - Math.min(retentionMs, EXPIRED_FLOW_KEPT_MS)) } };
  const flows = await deleteInBatches(
    async (take) => ids(await client.selfServiceFlow.findMany({ where: expiredFlows, select: { id: true }, take })),
    (batch) => client.selfServiceFlow.deleteMany({ where: { id: { in: batch } } }),
  );
  const oldErrors = { createdAt: { lt: cutoff } };
  const errors = await deleteInBatches(
    async (take) => ids(await client.selfServiceError.findMany({ where: oldErrors, select: { id: true }, take })),
    (batch) => client.selfServiceError.deleteMany({ where: { id: { in: batch } } }),
  );
  const delivered = { deliveredAt: { lt: cutoff } };
  const webhookDeliveries = await deleteInBatches(
    async (take) => ids(await client.webhookDelivery.findMany({ where: delivered, select: { id: true }, take })),
    (batch) => client.webhookDelivery.deleteMany({ where: { id: { in: batch }, ...delivered } }),
  );
  const over = { expiresAt: { lt: now } };
  const rateLimits = await deleteInBatches(
    async (take) => (await client.rateLimit.findMany({ where: over, select: { key: true }, take })).map((r) => r.key),
    (batch) => client.rateLimit.deleteMany({ where: { key: { in: batch }, ...over } }),
  );
  return { sessions, flows, errors, webhookDeliveries, rateLimits };
}

/**
 * Runs housekeeping every `intervalMs` inside the server (CLEANUP_INTERVAL; 0 turns it off).
 * Runs never overlap, and a failed run is logged and retried at the next tick.
 */
export function startHousekeepingTimer(intervalMs = config().cleanupIntervalMs): (() => void) | undefined {
  if (intervalMs <= 0) return undefined;
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await deleteEndedRecords();
      if (Object.values(deleted).some((count) => count > 0)) {
        console.log(
          `housekeeping: deleted ${deleted.sessions} sessions, ${deleted.flows} flows, ${deleted.errors} errors, ` +
            `${deleted.webhookDeliveries} delivered webhook events, ${deleted.rateLimits} rate-limit counters`,
        );
      }
    } catch (error) {
      console.error("housekeeping failed", error);
    } finally {
      running = false;
    }
  }, intervalMs);
  // The timer alone must not keep the process alive during shutdown.
  timer.unref();
  return () => clearInterval(timer);
}
