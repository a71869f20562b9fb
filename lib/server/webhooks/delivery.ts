// One delivery attempt of one outbox row, in three steps, each safe with any number of processes
// (instances, or the CLI) working on the same database:
//   1. claim: a conditional UPDATE takes due rows and pushes their due time forward by a lease, so
//      no one else finds them due while the attempt runs; if the claiming process dies, the rows
//      come due again when the lease expires and another process takes them over;
//   2. send: a signed POST (Standard Webhooks), with a time limit, no redirects, a bounded read;
//   3. record: the outcome is written only while the claim is still this attempt's.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Webhook } from "standardwebhooks";
import { config } from "../config";
import { db, type WebhookDelivery } from "../database/client";

/** A claimed row: what an attempt needs. `attempts` already counts this attempt. */
export type ClaimedDelivery = Pick<WebhookDelivery, "id" | "eventId" | "url" | "payload" | "attempts" | "claimId">;

/**
 * How long a claim holds beyond the attempt's own time limit: for recording the outcome and for a
 * busy event loop. An instance that dies mid-attempt delays that event by about this much.
 */
const LEASE_MARGIN_MS = 5_000;

/** What is kept of a receiver's answer for the error message: enough to say what went wrong. */
const RESPONSE_BODY_LIMIT_BYTES = 1_024;
const ERROR_SNIPPET_CHARS = 200;

const USER_AGENT = "kratos-logout-reference-webhooks/1";

// Connections are kept open between attempts: a burst of events to one receiver costs one TLS
// handshake per connection, not per event. The number of connections is bounded by the worker's
// attempts in flight per receiver (worker.ts).
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Claims up to `limit` deliveries to `url` that are due at `now`, oldest first, for one attempt.
 * Candidates are read first, then taken by an UPDATE that repeats the "due" condition: of several
 * processes that read the same candidates, each row goes to exactly one (SQLite has one writer at a
 * time; PostgreSQL re-checks the condition after waiting for a concurrent writer's row lock), and
 * `updateManyAndReturn` tells this process which rows it got.
 */
export async function claimDueDeliveries(url: string, limit: number, now = new Date()): Promise<ClaimedDelivery[]> {
  const due = { url, status: "pending", nextAttemptAt: { lte: now } };
  const candidates = await db().webhookDelivery.findMany({
    where: due,
    orderBy: { nextAttemptAt: "asc" },
    take: limit,
    select: { id: true },
  });
  if (candidates.length === 0) return [];
  return db().webhookDelivery.updateManyAndReturn({
    where: { ...due, id: { in: candidates.map((row) => row.id) } },
    data: {
      claimId: crypto.randomUUID(),
      nextAttemptAt: new Date(now.getTime() + config().webhookTimeoutMs + LEASE_MARGIN_MS),
      attempts: { increment: 1 },
      lastAttemptAt: now,
    },
    select: { id: true, eventId: true, url: true, payload: true, attempts: true, claimId: true },
  });
}

export type AttemptOutcome = { delivered: true } | { delivered: false; error: string };

let signer: { secret: string; webhook: Webhook } | undefined;

/** The `standardwebhooks` reference implementation signs: HMAC-SHA256 of "id.timestamp.body". */
function webhookFor(secret: string): Webhook {
  if (signer?.secret !== secret) signer = { secret, webhook: new Webhook(secret) };
  return signer.webhook;
}

/** Printable text of a receiver's answer, for an error message. */
function snippet(body: Buffer): string {
  const text = body
    .toString("utf8")
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim();
  return text.length > ERROR_SNIPPET_CHARS ? `${text.slice(0, ERROR_SNIPPET_CHARS)}…` : text;
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as NodeJS.ErrnoException;
  if (err?.name === "AbortError" || err?.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  if (err?.code === "ECONNREFUSED") return "connection refused";
  return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? error);
}

/**
 * POSTs one event to its receiver, signed for this attempt (a new `webhook-timestamp` each time, the
 * same `webhook-id`). Any 2xx is delivered; anything else, including a redirect (never followed: the
 * receiver was configured, its redirect target was not), a timeout or a refused connection, is a
 * failure. At most RESPONSE_BODY_LIMIT_BYTES of the answer are read.
 */
export async function sendWebhook(delivery: ClaimedDelivery): Promise<AttemptOutcome> {
  const { webhookSecret, webhookTimeoutMs } = config();
  if (!webhookSecret) return { delivered: false, error: "WEBHOOK_SECRET is not set" };
  const target = new URL(delivery.url);
  const timestamp = new Date();
  const request: Post = {
    target,
    body: Buffer.from(delivery.payload, "utf8"),
    headers: {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "webhook-id": delivery.eventId,
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": webhookFor(webhookSecret).sign(delivery.eventId, timestamp, delivery.payload),
    },
    // The whole attempt (connect, send, answer, body) within WEBHOOK_TIMEOUT.
    signal: AbortSignal.timeout(webhookTimeoutMs),
    timeoutMs: webhookTimeoutMs,
  };
  const agent = target.protocol === "https:" ? agents.https : agents.http;
  const outcome = await post(request, agent);
  if (outcome !== "stale connection") return outcome;
  // A kept-alive connection that the receiver closed just as it was reused: the request never
  // reached the receiver, so it is sent again at once on a new connection, within the same limit.
  const again = await post(request, false);
  return again === "stale connection" ? { delivered: false, error: "connection reset" } : again;
}

type Post = { target: URL; body: Buffer; headers: Record<string, string>; signal: AbortSignal; timeoutMs: number };

function post(
  { target, body, headers, signal, timeoutMs }: Post,
  agent: HttpAgent | false,
): Promise<AttemptOutcome | "stale connection"> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome | "stale connection") => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const onAnswer = (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const finish = () => {
        if (status >= 200 && status < 300) return settle({ delivered: true });
        const text = snippet(Buffer.concat(chunks));
        const redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
        settle({ delivered: false, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ""}` });
      };
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        // Enough to judge the answer: the rest is not read, and the connection is dropped.
        if (received >= RESPONSE_BODY_LIMIT_BYTES) {
          finish();
          response.destroy();
        }
      });
      response.on("end", finish);
      response.on("error", (error) => settle({ delivered: false, error: describeFailure(error, timeoutMs) }));
      // Destroyed (limit reached, or the timeout) before the end: judged by what arrived.
      response.on("close", finish);
    };
    const request = (target.protocol === "https:" ? httpsRequest : httpRequest)(
      target,
      { method: "POST", headers: { ...headers, "content-length": String(body.length) }, agent, signal },
      onAnswer,
    );
    request.on("error", (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE");
      settle(stale ? "stale connection" : { delivered: false, error: describeFailure(error, timeoutMs) });
    });
    request.end(body);
  });
}

/**
 * Records successful attempts: one UPDATE per claim rather than one per event, which matters when
 * a burst is delivered (on SQLite every write takes the one write lock). Rows whose claim has
 * expired and been taken over by another process are left to that process. Returns how many were
 * recorded.
 */
export async function recordDelivered(deliveries: ClaimedDelivery[], now = new Date()): Promise<number> {
  const idsByClaim = new Map<string | null, string[]>();
  for (const { claimId, id } of deliveries) idsByClaim.set(claimId, [...(idsByClaim.get(claimId) ?? []), id]);
  let recorded = 0;
  for (const [claimId, ids] of idsByClaim) {
    const { count } = await db().webhookDelivery.updateMany({
      where: { id: { in: ids }, claimId },
      data: { status: "delivered", deliveredAt: now, claimId: null, lastError: null },
    });
    recorded += count;
  }
  return recorded;
}

export type RecordedFailure =
  | { status: "pending"; nextAttemptAt: Date }
  | { status: "failed" }
  /** The claim had expired and another process took the row over: its attempt will be recorded. */
  | { status: "claim lost" };

/**
 * Records a failed attempt, if the claim is still this attempt's. It is retried after the next
 * wait of WEBHOOK_RETRY_SCHEDULE; after the last one the row is marked failed and kept.
 */
export async function recordFailure(
  delivery: ClaimedDelivery,
  error: string,
  now = new Date(),
): Promise<RecordedFailure> {
  // attempts counts the one just made: after attempt n, wait schedule[n - 1].
  const waitMs = config().webhookRetryScheduleMs[delivery.attempts - 1];
  const next: RecordedFailure =
    waitMs === undefined
      ? { status: "failed" }
      : { status: "pending", nextAttemptAt: new Date(now.getTime() + waitMs) };
  const { count } = await db().webhookDelivery.updateMany({
    where: { id: delivery.id, claimId: delivery.claimId },
    data: {
      status: next.status,
      claimId: null,
      lastError: error,
      ...(next.status === "pending" && { nextAttemptAt: next.nextAttemptAt }),
    },
  });
  return count === 1 ? next : { status: "claim lost" };
}

/** A receiver URL as logs show it: no query string, which may carry the receiver's own credentials. */
export function receiverForLogs(url: string): string {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
}
