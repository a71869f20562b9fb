// The events this app tells other services about, and how they enter the outbox: inside the
// transaction of the change they report (lib/server/sessions/revocation.ts), one row per event and
// receiver. Events carry ids only: never a token, never an email.

import { config } from "../config";
import type { Prisma } from "../database/client";
import type { RevocationReason } from "../sessions/revocation";

/** The body of a `session.revoked` webhook (README, "Telling other services about a logout"). */
export type SessionRevokedEvent = {
  type: "session.revoked";
  /** When it happened (ISO 8601); the same instant as `data.revoked_at`. */
  timestamp: string;
  data: {
    session_id: string;
    identity_id: string;
    reason: RevocationReason;
    revoked_at: string;
    /** The session whose request revoked this one (itself for a logout); null when none did. */
    initiated_by_session_id: string | null;
  };
};

export type WebhookEvent = SessionRevokedEvent;

/** Rows per INSERT: well inside SQLite's limit of bound parameters per statement. */
const INSERT_BATCH = 500;

/** A Standard Webhooks message id: unique per event, sent as `webhook-id` on every attempt. */
function newEventId(): string {
  return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * Adds events to the outbox within `tx`, one row per configured receiver, due at once. With no
 * receivers (WEBHOOK_URLS empty) webhooks are off and nothing is written.
 */
export async function enqueueWebhookEvents(tx: Prisma.TransactionClient, events: WebhookEvent[], now: Date) {
  const urls = config().webhookUrls;
  if (events.length === 0 || urls.length === 0) return;
  const rows = events.flatMap((event) => {
    const eventId = newEventId();
    // Serialised once: the bytes signed and sent are the same on every attempt.
    const payload = JSON.stringify(event);
    return urls.map((url): Prisma.WebhookDeliveryCreateManyInput => ({
      id: crypto.randomUUID(),
      eventId,
      url: url.href,
      type: event.type,
      payload,
      nextAttemptAt: now,
      createdAt: now,
    }));
  });
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await tx.webhookDelivery.createMany({ data: rows.slice(i, i + INSERT_BATCH) });
  }
}
