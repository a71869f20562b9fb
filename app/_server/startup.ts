// What the server does once at start (called from instrumentation.ts, Node.js runtime only).

import { config, ConfigError } from "./config";
import { startHousekeepingTimer } from "./housekeeping";

export function onServerStart(): void {
  try {
    config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Next.js logs an error thrown at start and serves anyway; a misconfigured app must not serve.
    console.error(error.message);
    process.exit(1);
  }
  // Housekeeping on a timer (CLEANUP_INTERVAL; 0 = off, e.g. when `npm run db:cleanup` runs from cron).
  startHousekeepingTimer();
}
