// Watching sessions for their end, for the live event streams (GET /sessions/events): one watch per
// process, whatever the number of streams. It learns of revocations from three places, all of
// which only name sessions; how a session ended is always read from its row (session-endings.ts):
//   - this process's own revocations, right after they commit (revocation.ts calls `sessionsRevoked`);
//   - the database's feed (database/revocation-feed.ts), for revocations anywhere else, whatever
//     made them: PostgreSQL's LISTEN/NOTIFY, or SQLite's poll;
//   - a check of the session when its stream opens, and of every watched session when the feed
//     (re)connects, so a revocation is never missed between the two.
// A watched session also ends when it expires: a timer per session (not per stream) at its expiry
// reads the row again, since re-authentication may have extended it.

import { tooManyStreams } from "../errors";
import { startRevocationFeed, type RevocationFeed } from "../database/revocation-feed";
import { readSessionStates, type SessionEnding, type SessionStates } from "./session-endings";

/** Open streams per session and process: a browser needs one (one per tab at worst). */
export const MAX_STREAMS_PER_SESSION = 10;

/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A check that failed (the database was unreachable) is tried again after this long. */
const RETRY_MS = 1_000;

export type SessionWatcher = (ending: SessionEnding) => void;

type Watched = { watchers: Set<SessionWatcher>; expiresAt: Date; expiryTimer?: NodeJS.Timeout };

class SessionWatch {
  private readonly watched = new Map<string, Watched>();
  private feed: RevocationFeed | undefined;

  /**
   * Calls `watcher` once when the session ends, then forgets it. Returns the function that stops
   * watching. Throws 429 beyond MAX_STREAMS_PER_SESSION watchers of one session.
   */
  watch(session: { id: string; expiresAt: Date }, watcher: SessionWatcher): () => void {
    let entry = this.watched.get(session.id);
    if (entry && entry.watchers.size >= MAX_STREAMS_PER_SESSION) throw tooManyStreams(MAX_STREAMS_PER_SESSION);
    if (!entry) {
      entry = { watchers: new Set(), expiresAt: session.expiresAt };
      this.watched.set(session.id, entry);
      this.armExpiry(session.id, entry);
    }
    entry.watchers.add(watcher);
    this.feed ??= startRevocationFeed({
      revoked: (ids) => this.sessionsRevoked(ids),
      resync: () => void this.check([...this.watched.keys()]),
      watching: () => this.watched.size > 0,
    });
    // Watching first, then reading the row: a revocation committed before this read is seen by it,
    // one committed after is reported by the feed. (The caller found the session active a moment ago.)
    void this.check([session.id]);
    return () => this.unwatch(session.id, watcher);
  }

  /** Sessions revoked (committed): their watchers, if any here, are told how they ended. */
  sessionsRevoked(sessionIds: string[]): void {
    const watched = sessionIds.filter((id) => this.watched.has(id));
    if (watched.length > 0) void this.check(watched);
  }

  /** How many streams of this process watch the session (the cap counts them). */
  watcherCount(sessionId: string): number {
    return this.watched.get(sessionId)?.watchers.size ?? 0;
  }

  async stop(): Promise<void> {
    for (const entry of this.watched.values()) clearTimeout(entry.expiryTimer);
    this.watched.clear();
    await this.feed?.stop();
    this.feed = undefined;
  }

  private unwatch(sessionId: string, watcher: SessionWatcher): void {
    const entry = this.watched.get(sessionId);
    if (!entry?.watchers.delete(watcher) || entry.watchers.size > 0) return;
    clearTimeout(entry.expiryTimer);
    this.watched.delete(sessionId);
  }

  private armExpiry(sessionId: string, entry: Watched): void {
    clearTimeout(entry.expiryTimer);
    // A moment after the expiry, so the row reads as expired.
    const delay = Math.min(Math.max(entry.expiresAt.getTime() - Date.now() + 5, 0), MAX_TIMER_MS);
    entry.expiryTimer = setTimeout(() => void this.check([sessionId]), delay);
    // Streams keep the server busy, not their timers: a shutdown is not held up by them.
    entry.expiryTimer.unref();
  }

  /** Reads the sessions' rows and tells the watchers of those that ended. */
  private async check(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    let states: SessionStates;
    try {
      states = await readSessionStates(sessionIds);
    } catch (error) {
      console.error("session events: could not read sessions; trying again in a second:", error);
      const retry = setTimeout(() => void this.check(sessionIds.filter((id) => this.watched.has(id))), RETRY_MS);
      retry.unref();
      return;
    }
    for (const ending of states.endings) {
      const entry = this.watched.get(ending.sessionId);
      if (!entry) continue; // told already, by another check
      this.watched.delete(ending.sessionId);
      clearTimeout(entry.expiryTimer);
      for (const watcher of entry.watchers) {
        try {
          watcher(ending);
        } catch (error) {
          console.error("session events: a watcher failed:", error);
        }
      }
    }
    // Still counting: re-authentication (or an operator) may have moved the expiry, or the timer
    // fired a little early. Set again from the row.
    for (const [id, expiresAt] of states.expiries) {
      const entry = this.watched.get(id);
      if (!entry) continue;
      entry.expiresAt = expiresAt;
      this.armExpiry(id, entry);
    }
  }
}

// One watch per process, found through globalThis: Next.js bundles the stream's route handler and
// the route handlers that revoke sessions separately, each with its own copy of this module.
const slot = Symbol.for("kratos-logout-reference.session-watch");
const processWide = globalThis as unknown as { [slot]?: SessionWatch };

/** This process's watch, started on first use. */
export function sessionWatch(): SessionWatch {
  return (processWide[slot] ??= new SessionWatch());
}

/** Tells this process's streams that these sessions were just revoked and committed. */
export function sessionsRevoked(sessionIds: string[]): void {
  processWide[slot]?.sessionsRevoked(sessionIds);
}

/** Stops watching (tests; a process that is shutting down). */
export async function stopSessionWatch(): Promise<void> {
  const watch = processWide[slot];
  delete processWide[slot];
  await watch?.stop();
}
