// What the server does once at start (called from instrumentation.ts, Node.js runtime only).

import { config, ConfigError } from "./config";

export async function onServerStart(): Promise<void> {
  try {
    config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Next.js logs an error thrown at start and serves anyway; a misconfigured app must not serve.
    console.error(error.message);
    process.exit(1);
  }
  // Imported only now: the database client is not loaded before the configuration is known good.
  const { startHousekeepingTimer } = await import("./housekeeping");
  const { startWebhookWorker } = await import("./webhooks/worker");
  // Housekeeping on a timer (CLEANUP_INTERVAL; 0 = off, e.g. when `npm run db:cleanup` runs from cron).
  startHousekeepingTimer();
  // Webhook delivery in every instance (when WEBHOOK_URLS is set): events committed before a crash or
  // a restart, and those of other instances, are picked up from the outbox.
  startWebhookWorker();
}
