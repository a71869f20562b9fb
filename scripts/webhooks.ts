// `npm run webhooks`: the webhook outbox of the database DATABASE_URL names, for operators.
//
//   npm run webhooks                          pending and failed events: counts, oldest age, last error
//   npm run webhooks -- --json                the same as JSON, for scripts and monitoring
//   npm run webhooks -- --replay <id|failed>  re-queue one event (by its webhook-id) or every failed one
//
// Run it with the app's environment (DATABASE_URL, WEBHOOK_URLS): the running servers deliver what
// it re-queues at their next poll (within a second). Same domain code as the server: backlog.ts.

import { config } from "../lib/server/config";
import { db } from "../lib/server/database/client";
import { replayWebhookDeliveries, webhookBacklog } from "../lib/server/webhooks/backlog";

const USAGE = "usage: npm run webhooks [-- --json | -- --replay <event id|failed>]";

/** "3h 12m", "45s": an age for people. */
function age(since: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor((seconds % 86_400) / 3_600), "h"],
    [Math.floor((seconds % 3_600) / 60), "m"],
    [seconds % 60, "s"],
  ];
  const shown = parts.filter(([value]) => value > 0).slice(0, 2);
  return shown.length ? shown.map(([value, unit]) => `${value}${unit}`).join(" ") : "0s";
}

async function show(asJson: boolean): Promise<void> {
  const now = new Date();
  const backlog = await webhookBacklog();
  if (asJson) {
    console.log(JSON.stringify(backlog, null, 2));
    return;
  }
  const receivers = config().webhookUrls.length;
  console.log(
    receivers
      ? `Webhook outbox (${receivers} receiver(s) in WEBHOOK_URLS)`
      : "Webhook outbox (WEBHOOK_URLS is empty: off)",
  );
  const oldest = backlog.oldestPendingAt ? `, oldest ${age(backlog.oldestPendingAt, now)} old` : "";
  console.log(`pending: ${backlog.pending}${oldest}`);
  console.log(`failed: ${backlog.failed}`);
  console.log(`delivered: ${backlog.delivered} (deleted by housekeeping after RETENTION)`);
  for (const receiver of backlog.receivers) {
    console.log(`\n${receiver.url}${receiver.configured ? "" : " (not in WEBHOOK_URLS: nothing is sent there)"}`);
    const pendingAge = receiver.oldestPendingAt ? ` (oldest ${age(receiver.oldestPendingAt, now)} old)` : "";
    console.log(
      `  pending ${receiver.pending}${pendingAge}, failed ${receiver.failed}, delivered ${receiver.delivered}`,
    );
    if (receiver.lastError) {
      const { eventId, error, attempts, at } = receiver.lastError;
      const when = at ? `, ${age(at, now)} ago` : "";
      console.log(`  last error: ${error} (${eventId}, attempt ${attempts}${when})`);
    }
  }
  if (backlog.failedEvents.length) {
    console.log("\nFailed events, newest first (re-queue: npm run webhooks -- --replay <id|failed>):");
    for (const event of backlog.failedEvents) {
      console.log(`  ${event.eventId}  ${event.url}  ${event.attempts} attempts  ${event.lastError ?? ""}`);
    }
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length === 0 || (args.length === 1 && args[0] === "--json")) {
    await show(args[0] === "--json");
    return 0;
  }
  if (args.length === 2 && args[0] === "--replay") {
    const result = await replayWebhookDeliveries(args[1]!);
    if ("error" in result) {
      console.error(result.error);
      return 1;
    }
    console.log(`Re-queued ${result.requeued} delivery(ies): the running servers send them within a second.`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  await db().$disconnect();
}
