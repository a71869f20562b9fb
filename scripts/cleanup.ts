// `npm run db:cleanup`: deletes sessions that ended, expired flows, stored errors and delivered
// webhook events older than RETENTION (default 168h), in the database DATABASE_URL names. Safe to run
// while the app serves.

import { config } from "../lib/server/config";
import { db } from "../lib/server/database/client";
import { deleteEndedRecords } from "../lib/server/housekeeping";

try {
  const deleted = await deleteEndedRecords();
  console.log(
    `Deleted ${deleted.sessions} sessions, ${deleted.flows} flows, ${deleted.errors} errors and ` +
      `${deleted.webhookDeliveries} delivered webhook events ` +
      `that ended more than ${config().retentionMs / 3_600_000}h ago.`,
  );
} finally {
  await db().$disconnect();
}
