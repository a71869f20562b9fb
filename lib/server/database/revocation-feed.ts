// How a process learns that sessions were revoked anywhere (by this process, by another instance,
// by an operator's CLI), so the live streams of their devices can be told (sessions/session-watch.ts).
// Beside client.ts because it is the other module that knows which database it is:
//
// - PostgreSQL: a trigger on the sessions table (its migration, notify_session_revoked) sends
//   `NOTIFY session_revoked, '<ids>'` from every UPDATE that revokes sessions, which PostgreSQL
//   delivers only when that transaction commits, to every listening connection (this process's
//   too): no extra statement for the revoking request, and nothing that revokes can forget it. Each process LISTENs on one dedicated connection, not one per stream; when it is lost
//   (a database restart), it reconnects and asks for a resync, since notifications sent while it
//   was away are gone.
// - SQLite: processes sharing a file have no way to notify each other, so each process reads the
//   sessions revoked recently (the revoked_at index) once a second, and only while it has streams.
//
// Revocations made by this process are reported to its streams at once after the commit either
// way (revocation.ts); the feed is for everything else.

import pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
import { config } from "../config";
import { db, isPostgresUrl } from "./client";

const CHANNEL = "session_revoked";

/** SQLite: how often the sessions table is read for revocations of other processes (at most once a second). */
const POLL_INTERVAL_MS = 1_000;

// SQLite: how far back each read looks. revoked_at is the time the revocation started; its commit can
// come later (revocation.ts lets a transaction wait 10 s for its turn and run 20 s), and a revocation
// that commits later than this after its revoked_at would be missed by the poll.
const POLL_LOOKBACK_MS = 60_000;

/** PostgreSQL: the wait before reconnecting the LISTEN connection, doubling up to the maximum. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export type RevocationFeedHandlers = {
  /** These sessions were revoked, committed (a session may be reported more than once). */
  revoked: (sessionIds: string[]) => void;
  /** Revocations may have been missed (the feed was down or just started): check every watched session again. */
  resync: () => void;
  /** Whether anything is watched at all; an idle SQLite process does not read the table. */
  watching: () => boolean;
};

export type RevocationFeed = { stop: () => Promise<void> };

/**
 * Starts this process's feed. On PostgreSQL it calls `handlers.resync()` each time it starts
 * listening (at first and after every reconnect); SQLite's poll calls it after reads that failed.
 */
export function startRevocationFeed(handlers: RevocationFeedHandlers): RevocationFeed {
  const url = config().databaseUrl;
  return isPostgresUrl(url) ? listen(url, handlers) : poll(handlers);
}

function listen(url: string, handlers: RevocationFeedHandlers): RevocationFeed {
  let stopped = false;
  let current: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;
  let outage = false;

  const retry = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  const connect = async () => {
    // keepAlive: a connection whose server vanished without a word is noticed by TCP, not never.
    const client = new pg.Client({ ...parseIntoClientConfig(url), keepAlive: true, connectionTimeoutMillis: 5_000 });
    // A lost connection emits "error" and then "end"; without a listener the error would crash the process.
    client.on("error", () => {});
    client.on("end", () => {
      if (current !== client) return;
      current = undefined;
      if (stopped) return;
      outage = true;
      console.error("session events: the PostgreSQL LISTEN connection was lost; reconnecting");
      retry();
    });
    client.on("notification", (message) => {
      if (message.channel === CHANNEL && message.payload) handlers.revoked(message.payload.split(","));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.end().catch(() => {});
      if (!outage) console.error("session events: could not LISTEN on PostgreSQL; retrying:", error);
      outage = true;
      return retry();
    }
    if (stopped) return void client.end().catch(() => {});
    current = client;
    delay = RECONNECT_MIN_MS;
    if (outage) console.log("session events: listening on PostgreSQL again");
    outage = false;
    // Whatever was revoked before this connection listened was not heard: look at the rows once.
    handlers.resync();
  };

  void connect();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(retryTimer);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}

function poll(handlers: RevocationFeedHandlers): RevocationFeed {
  let running = false;
  let failing = false;
  const timer = setInterval(async () => {
    if (running || !handlers.watching()) return;
    running = true;
    try {
      const since = new Date(Date.now() - POLL_LOOKBACK_MS);
      const rows = await db().session.findMany({ where: { revokedAt: { gte: since } }, select: { id: true } });
      if (failing) {
        failing = false;
        // The reads that failed may have spanned more than the lookback.
        handlers.resync();
      }
      if (rows.length > 0) handlers.revoked(rows.map((row) => row.id));
    } catch (error) {
      if (!failing) console.error("session events: reading revocations failed; retrying every second:", error);
      failing = true;
    } finally {
      running = false;
    }
  }, POLL_INTERVAL_MS);
  // The poll alone must not keep a shutting-down process alive.
  timer.unref();
  // Nothing to catch up on: whatever is watched was checked when its stream opened.
  return { stop: async () => clearInterval(timer) };
}
