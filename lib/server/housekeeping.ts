// Housekeeping: deletes what nobody can use any more, so the database stays bounded however long
// the app runs. Rows are kept for RETENTION after they stopped mattering (a revoked session still
// shows on the user's device list and in audits for a while; an expired flow still answers 410
// instead of 404), then deleted in small batches so no single write holds SQLite's lock for long.

import { config } from "./config";
import { db, type PrismaClient } from "./database/client";

/** Rows per delete: small enough that a logout waiting behind a batch waits milliseconds. */
const BATCH_SIZE = 500;

export type HousekeepingResult = { sessions: number; flows: number; errors: number; webhookDeliveries: number };

export type HousekeepingOptions = { client?: PrismaClient; now?: Date; retentionMs?: number };

/** Deletes rows chosen by `findIds` batch by batch until none are left; returns how many. */
async function deleteInBatches(
  findIds: (take: number) => Promise<{ id: string }[]>,
  deleteIds: (ids: string[]) => Promise<{ count: number }>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = (await findIds(BATCH_SIZE)).map((row) => row.id);
    if (ids.length === 0) return total;
    total += (await deleteIds(ids)).count;
    if (ids.length < BATCH_SIZE) return total;
    // Let requests waiting for the database in this process go first.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Deletes sessions that ended (expired or revoked) more than `retentionMs` ago, flows that expired
 * more than `retentionMs` ago, stored self-service errors older than `retentionMs`, and webhook
 * deliveries that succeeded more than `retentionMs` ago (pending and failed ones are never deleted:
 * an event is not dropped silently). A deleted session's token is then unknown: native logout
 * answers 403 for it, as for any unknown token.
 */
export async function deleteEndedRecords(options: HousekeepingOptions = {}): Promise<HousekeepingResult> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.retentionMs ?? config().retentionMs));

  const endedSessions = { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] };
  const sessions = await deleteInBatches(
    (take) => client.session.findMany({ where: endedSessions, select: { id: true }, take }),
    // The condition is repeated so a row that changed in between is never deleted by mistake.
    (ids) => client.session.deleteMany({ where: { id: { in: ids }, ...endedSessions } }),
  );
  const flows = await deleteInBatches(
    (take) => client.selfServiceFlow.findMany({ where: { expiresAt: { lt: cutoff } }, select: { id: true }, take }),
    (ids) => client.selfServiceFlow.deleteMany({ where: { id: { in: ids } } }),
  );
  const errors = await deleteInBatches(
    (take) => client.selfServiceError.findMany({ where: { createdAt: { lt: cutoff } }, select: { id: true }, take }),
    (ids) => client.selfServiceError.deleteMany({ where: { id: { in: ids } } }),
  );
  const delivered = { deliveredAt: { lt: cutoff } };
  const webhookDeliveries = await deleteInBatches(
    (take) => client.webhookDelivery.findMany({ where: delivered, select: { id: true }, take }),
    (ids) => client.webhookDelivery.deleteMany({ where: { id: { in: ids }, ...delivered } }),
  );
  return { sessions, flows, errors, webhookDeliveries };
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
      if (deleted.sessions + deleted.flows + deleted.errors + deleted.webhookDeliveries > 0) {
        console.log(
          `housekeeping: deleted ${deleted.sessions} sessions, ${deleted.flows} flows, ${deleted.errors} errors, ` +
            `${deleted.webhookDeliveries} delivered webhook events`,
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
