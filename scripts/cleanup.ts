// `npm run db:cleanup`: what housekeeping deletes (lib/server/housekeeping.ts), once, in the database
// DATABASE_URL names: sessions that ended, stored errors and delivered webhook events older than
// RETENTION (default 168h), flows an hour after they expired, rate-limit counters whose window is
// over. Safe to run while the app serves, from any number of machines at once.

import { config } from "../lib/server/config";
import { db } from "../lib/server/database/client";
import { deleteEndedRecords } from "../lib/server/housekeeping";

try {
  const deleted = await deleteEndedRecords();
  console.log(
    `Deleted ${deleted.sessions} sessions, ${deleted.errors} errors and ${deleted.webhookDeliveries} ` +
      `delivered webhook events that ended more than ${config().retentionMs / 3_600_000}h ago, ` +
      `${deleted.flows} expired flows and ${deleted.rateLimits} rate-limit counters.`,
  );
} finally {
  await db().$disconnect();
}
