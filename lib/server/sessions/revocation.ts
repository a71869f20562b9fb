// Revocation: the one way a session ends before it expires, whatever ends it. Logout, native
// logout, signing out a device, signing out everywhere else, and operators (the admin API, the
// admin CLI, deactivating an identity) all come here
// with a reason and the session that asked, so every revocation
//   - writes `active = false` only where the row is still active (`UPDATE … WHERE active`), so of
//     concurrent revocations of one session exactly one writes, on SQLite and PostgreSQL alike;
//   - records how the session ended (when, why, initiated by which session) in that same UPDATE;
//   - writes one `session.revoked` webhook event per session it revoked, in the same transaction
//     (the transactional outbox): both commit or neither does, so a revoked session never lacks its
//     event and no event reports a revocation that did not happen;
//   - announces the revoked sessions to the live event streams of every process (GET
//     /sessions/events): to this process's streams right after the commit (session-watch.ts), to
//     the others through the database (on PostgreSQL the UPDATE's trigger NOTIFYs on commit; see
//     database/revocation-feed.ts).
// The caller answers only after this resolves, i.e. after the commit; delivery happens later, in
// the background (lib/server/webhooks/), and never holds up the answer.

import { config } from "../config";
import { db, type Prisma } from "../database/client";
import { enqueueWebhookEvents, type WebhookEvent } from "../webhooks/events";
import { wakeWebhookWorker } from "../webhooks/worker";
import { sessionsRevoked } from "./session-watch";

/** Why a session was revoked: the `reason` of its `session.revoked` event and of its row. */
export type RevocationReason =
  /** Browser logout (GET /self-service/logout). */
  | "logout"
  /** Native logout (DELETE /self-service/logout/api). */
  | "native_logout"
  /** The user signed out one of their other devices (DELETE /sessions/{id}). */
  | "revoked_by_user"
  /** The user signed out everywhere else (DELETE /sessions): one event per session. */
  | "revoked_other_sessions"
  /** An operator ended it (DELETE /admin/sessions/{id}, DELETE /admin/identities/{id}/sessions, the CLI). */
  | "revoked_by_admin"
  /** An operator deactivated its identity (PATCH /admin/identities/{id} to state "inactive"). */
  | "identity_deactivated";

export type RevocationCause = {
  reason: RevocationReason;
  /** The session whose request ended these; null when none did (an operator, the system). */
  initiatedBySessionId: string | null;
};

/** Which sessions to revoke: one, or every session of an identity (but one). Only active ones change. */
export type SessionSelection = { sessionId: string } | { identityId: string; exceptSessionId?: string };

export type RevokedSession = { id: string; identityId: string; revokedAt: Date };

// A transaction waits this long for its turn (SQLite: the process's one connection; PostgreSQL: a
// pool slot) and may run this long, generous against Prisma's 2 s / 5 s defaults so a burst of
// logouts queues instead of failing; the two statements inside take milliseconds. (On SQLite, the
// driver adapter runs a transaction on that one connection, so a query of another request that
// arrives between its two statements runs inside it; both statements are plain writes that only
// fail when the database does, so keeping the transaction this short is what keeps that harmless.)
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

function selectionWhere(selection: SessionSelection, now: Date): Prisma.SessionWhereInput {
  if ("sessionId" in selection) {
    // One named session: revoked even if it has expired (SPEC section 3: native logout of an
    // expired session's token marks it revoked), though only an unexpired one is announced.
    return { id: selection.sessionId, active: true };
  }
  // A user's sessions: those that still count, as the user's session list shows them.
  return {
    identityId: selection.identityId,
    active: true,
    expiresAt: { gt: now },
    ...(selection.exceptSessionId !== undefined && { id: { not: selection.exceptSessionId } }),
  };
}

/**
 * Revokes the selected sessions inside a caller's transaction: for a caller that changes more in
 * the same transaction (e.g. an identity's state). Returns exactly the sessions this call revoked;
 * a session that had ended already is not among them, and nothing is written or announced for it.
 */
export async function revokeSessionsInTransaction(
  tx: Prisma.TransactionClient,
  selection: SessionSelection,
  cause: RevocationCause,
  now = new Date(),
): Promise<RevokedSession[]> {
  // UPDATE … WHERE active … RETURNING: the rows returned are the ones this statement changed. Under
  // PostgreSQL's READ COMMITTED a concurrent revocation's row lock is waited for and `active` is
  // re-checked after it, so two callers never both get a row; SQLite runs one writer at a time.
  const revoked = await tx.session.updateManyAndReturn({
    where: selectionWhere(selection, now),
    data: {
      active: false,
      revokedAt: now,
      revocationReason: cause.reason,
      revokedBySessionId: cause.initiatedBySessionId,
    },
    select: { id: true, identityId: true, expiresAt: true },
  });
  // A session that had expired ended then, not now: it is marked revoked but not announced.
  const events = revoked
    .filter((session) => session.expiresAt > now)
    .map((session): WebhookEvent => ({
      type: "session.revoked",
      timestamp: now.toISOString(),
      data: {
        session_id: session.id,
        identity_id: session.identityId,
        reason: cause.reason,
        revoked_at: now.toISOString(),
        initiated_by_session_id: cause.initiatedBySessionId,
      },
    }));
  await enqueueWebhookEvents(tx, events, now);
  return revoked.map(({ id, identityId }) => ({ id, identityId, revokedAt: now }));
}

/**
 * Runs `work` as one transaction: the revocations it makes (revokeSessionsInTransaction) and anything
 * else it changes (an identity's state) commit together or not at all. Resolves after the commit,
 * then does what follows every committed revocation. `work` returns the sessions it revoked.
 */
export async function inRevocationTransaction<Result extends { revoked: RevokedSession[] }>(
  work: (tx: Prisma.TransactionClient) => Promise<Result>,
): Promise<Result> {
  const result = await db().$transaction(work, TRANSACTION_OPTIONS);
  afterCommit(result.revoked);
  return result;
}

/**
 * Committed: this process's delivery worker starts on the new events now rather than at its next
 * poll, and its streams of these sessions are told now rather than by the feed.
 */
function afterCommit(revoked: RevokedSession[]): void {
  if (revoked.length === 0) return;
  wakeWebhookWorker();
  sessionsRevoked(revoked.map((session) => session.id));
}

/**
 * Revokes the selected sessions and commits, with their webhook events; resolves after the commit.
 * Returns exactly the sessions this call revoked (none when they had all ended already).
 */
export async function revokeSessions(
  selection: SessionSelection,
  cause: RevocationCause,
  now = new Date(),
): Promise<RevokedSession[]> {
  if (config().webhookUrls.length === 0) {
    // Webhooks off: nothing goes to the outbox, so the UPDATE is the whole revocation, and one
    // statement is atomic and durably committed on its own. A transaction around it would only add
    // BEGIN and COMMIT (on PostgreSQL, two more round trips per logout).
    const revoked = await revokeSessionsInTransaction(db(), selection, cause, now);
    afterCommit(revoked);
    return revoked;
  }
  const { revoked } = await inRevocationTransaction(async (tx) => ({
    revoked: await revokeSessionsInTransaction(tx, selection, cause, now),
  }));
  return revoked;
}
