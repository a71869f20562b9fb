// How sessions ended, read from their rows: revocation.ts records when, why and by which session in
// the UPDATE that revokes one; a session that was never revoked ended when it expired. The live
// stream tells a device how its session ended (session-watch.ts), and the devices page and
// `GET /sessions?active=false` list the user's recently ended sessions.

import { db } from "../database/client";
import type { SessionWithIdentity } from "./sessions";

/** The session whose request ended another one: its device, as the user's own list shows it. */
export type EndedBy = { sessionId: string; userAgent: string | null };

export type SessionEnding =
  | {
      kind: "revoked";
      sessionId: string;
      /** A RevocationReason: "logout", "revoked_by_user", … (and any an operator's tool records). */
      reason: string;
      endedAt: Date;
      /** Null when no session asked for it (an operator, the system) or that session is gone. */
      by: EndedBy | null;
    }
  | { kind: "expired"; sessionId: string; endedAt: Date };

export type EndedSession = SessionWithIdentity & { ending: SessionEnding };

/** The page lists the sessions that ended in this window (housekeeping may delete them sooner: RETENTION). */
export const ENDED_SESSIONS_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
export const ENDED_SESSIONS_LIMIT = 20;

type EndingColumns = {
  id: string;
  active: boolean;
  expiresAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  revokedBySessionId: string | null;
};

const ENDING_COLUMNS = {
  id: true,
  active: true,
  expiresAt: true,
  revokedAt: true,
  revocationReason: true,
  revokedBySessionId: true,
} as const;

/** The devices of the sessions that revoked these, in one query. */
async function initiators(rows: EndingColumns[]): Promise<Map<string, EndedBy>> {
  const ids = [...new Set(rows.flatMap((row) => (row.revokedBySessionId ? [row.revokedBySessionId] : [])))];
  if (ids.length === 0) return new Map();
  const found = await db().session.findMany({ where: { id: { in: ids } }, select: { id: true, userAgent: true } });
  return new Map(found.map((row) => [row.id, { sessionId: row.id, userAgent: row.userAgent }]));
}

/** How the row's session ended, or undefined while it still counts. */
function endingOf(row: EndingColumns, by: Map<string, EndedBy>, now: Date): SessionEnding | undefined {
  // Revoked after it had expired (native logout of an expired token): it ended by expiring.
  if (!row.active && row.revokedAt && row.revokedAt < row.expiresAt) {
    return {
      kind: "revoked",
      sessionId: row.id,
      reason: row.revocationReason ?? "logout",
      endedAt: row.revokedAt,
      by: (row.revokedBySessionId && by.get(row.revokedBySessionId)) || null,
    };
  }
  if (row.expiresAt <= now) return { kind: "expired", sessionId: row.id, endedAt: row.expiresAt };
  // Revoked without a record of when (before revocations were recorded): ended, but not reportable.
  return undefined;
}

/** What the rows of some sessions say: how those that ended ended, and until when the others last. */
export type SessionStates = { endings: SessionEnding[]; expiries: Map<string, Date> };

/** How each of these sessions ended, and the expiry of each that still counts (unknown ids are left out). */
export async function readSessionStates(sessionIds: string[], now = new Date()): Promise<SessionStates> {
  const rows = await db().session.findMany({ where: { id: { in: sessionIds } }, select: ENDING_COLUMNS });
  const by = await initiators(rows.filter((row) => !row.active));
  const endings: SessionEnding[] = [];
  const expiries = new Map<string, Date>();
  for (const row of rows) {
    const ending = endingOf(row, by, now);
    if (ending) endings.push(ending);
    else if (row.active) expiries.set(row.id, row.expiresAt);
  }
  return { endings, expiries };
}

/**
 * The user's sessions that ended within the last 30 days, the most recently ended first, at most
 * `limit`. Ended means revoked (logout, signed out from another device, …) or expired.
 */
export async function listEndedSessions(
  current: SessionWithIdentity,
  limit = ENDED_SESSIONS_LIMIT,
  now = new Date(),
): Promise<EndedSession[]> {
  const since = new Date(now.getTime() - ENDED_SESSIONS_WINDOW_MS);
  const identityId = current.identityId;
  // Two indexed reads, each already in order, merged: ORDER BY COALESCE(revoked_at, expires_at)
  // has no index and no Prisma spelling.
  const [revoked, expired] = await Promise.all([
    db().session.findMany({
      where: { identityId, revokedAt: { gte: since } },
      orderBy: [{ revokedAt: "desc" }, { id: "desc" }],
      take: limit,
    }),
    db().session.findMany({
      where: { identityId, active: true, expiresAt: { gte: since, lte: now } },
      orderBy: [{ expiresAt: "desc" }, { id: "desc" }],
      take: limit,
    }),
  ]);
  const by = await initiators(revoked);
  return [...revoked, ...expired]
    .flatMap((row) => {
      const ending = endingOf(row, by, now);
      if (!ending || ending.endedAt < since) return [];
      // Every row belongs to the current identity: reuse it instead of joining it in again.
      return [{ ...row, identity: current.identity, ending }];
    })
    .sort((a, b) => b.ending.endedAt.getTime() - a.ending.endedAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
}
