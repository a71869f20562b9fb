// The delivery worker: runs in every server process (started with the server, lib/server/startup.ts)
// when WEBHOOK_URLS is set. It polls the outbox for due deliveries, and is woken at once when this
// process commits new events, so an event usually leaves within milliseconds of the logout's
// answer; the poll picks up what other instances, the CLI (replays) and retries make due.
//
// Each receiver has its own bounded number of attempts in flight, and the worker never waits for
// an attempt before claiming more: a slow or dead receiver holds only its own attempts (each at
// most WEBHOOK_TIMEOUT), never other events or other receivers.

import { config } from "../config";
import {
  claimDueDeliveries,
  receiverForLogs,
  recordDelivered,
  recordFailure,
  sendWebhook,
  type ClaimedDelivery,
} from "./delivery";

/** How often the outbox is polled when nothing wakes the worker. */
const POLL_INTERVAL_MS = 500;

/** Attempts in flight per receiver and process. */
const MAX_IN_FLIGHT_PER_RECEIVER = 32;

/**
 * While attempts are in flight, more are claimed only once this many slots are free, and successes
 * are recorded together after this long: a burst costs a few writes per batch, not two per event.
 */
const MIN_CLAIM = 8;
const RECORD_DELAY_MS = 20;

type Recording = { delivery: ClaimedDelivery; done: () => void; failed: (error: unknown) => void };

export class WebhookWorker {
  private readonly inFlight = new Map<string, number>();
  private stopped = false;
  private woken = false;
  private wakeSleeper: (() => void) | undefined;
  private readonly toRecord: Recording[] = [];
  private recordTimer: NodeJS.Timeout | undefined;

  /**
   * Claims what is due for each receiver, up to its free slots, and starts those attempts. Returns
   * the started attempts (the loop does not wait for them; tests may).
   */
  async tick(now = new Date()): Promise<Promise<void>[]> {
    const started: Promise<void>[] = [];
    for (const { href: url } of config().webhookUrls) {
      const busy = this.inFlight.get(url) ?? 0;
      const free = MAX_IN_FLIGHT_PER_RECEIVER - busy;
      if (free <= 0 || (busy > 0 && free < MIN_CLAIM)) continue;
      for (const delivery of await claimDueDeliveries(url, free, now)) {
        this.inFlight.set(url, (this.inFlight.get(url) ?? 0) + 1);
        started.push(
          this.attempt(delivery).finally(() => {
            this.inFlight.set(url, (this.inFlight.get(url) ?? 1) - 1);
            // A free slot: more may be due for this receiver right now (a burst).
            this.wake();
          }),
        );
      }
    }
    return started;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await sendWebhook(delivery);
    try {
      if (outcome.delivered) return await this.recordDelivered(delivery);
      const recorded = await recordFailure(delivery, outcome.error);
      if (recorded.status === "claim lost") return;
      // One line per failed attempt: the event id and receiver, never the payload or the secret.
      const then =
        recorded.status === "pending"
          ? `next attempt at ${recorded.nextAttemptAt.toISOString()}`
          : `no attempts left: marked failed (npm run webhooks -- --replay ${delivery.eventId})`;
      console.error(
        `webhook delivery failed: ${delivery.eventId} to ${receiverForLogs(delivery.url)}, ` +
          `attempt ${delivery.attempts}: ${outcome.error}; ${then}`,
      );
    } catch (error) {
      // The claim's lease runs out and the attempt is made again: at least once, never lost.
      console.error(`webhook delivery: could not record the attempt for ${delivery.eventId}:`, error);
    }
  }

  /** Resolves once this success is written, together with the others of the next RECORD_DELAY_MS. */
  private recordDelivered(delivery: ClaimedDelivery): Promise<void> {
    return new Promise((done, failed) => {
      this.toRecord.push({ delivery, done, failed });
      this.recordTimer ??= setTimeout(async () => {
        this.recordTimer = undefined;
        const batch = this.toRecord.splice(0);
        try {
          await recordDelivered(batch.map((recording) => recording.delivery));
          for (const recording of batch) recording.done();
        } catch (error) {
          for (const recording of batch) recording.failed(error);
        }
      }, RECORD_DELAY_MS);
    });
  }

  /** Polls until stopped; a failed poll (database unavailable) is logged and retried at the next. */
  async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (error) {
        console.error("webhook delivery: polling the outbox failed:", error);
      }
      await this.sleep();
    }
  }

  /** Makes the loop poll now (or right after the poll under way). */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private sleep(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, POLL_INTERVAL_MS);
      // The worker alone must not keep a shutting-down process alive.
      timer.unref();
      this.wakeSleeper = done;
    });
  }
}

// The worker is found through globalThis: Next.js bundles the start-up code (instrumentation.ts)
// and the route handlers that commit events separately, each with its own copy of this module.
const slot = Symbol.for("kratos-logout-reference.webhook-worker");
const processWide = globalThis as unknown as { [slot]?: WebhookWorker };

/** Starts this process's worker, when webhooks are configured. Returns a function that stops it. */
export function startWebhookWorker(): (() => void) | undefined {
  if (config().webhookUrls.length === 0 || processWide[slot]) return undefined;
  const worker = new WebhookWorker();
  processWide[slot] = worker;
  void worker.run();
  return () => {
    worker.stop();
    if (processWide[slot] === worker) delete processWide[slot];
  };
}

/** Tells this process's worker that events were just committed (nothing when none runs here). */
export function wakeWebhookWorker(): void {
  processWide[slot]?.wake();
}
