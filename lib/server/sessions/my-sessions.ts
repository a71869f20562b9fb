// The signed-in user's own sessions, as Kratos's frontend API offers them: list the other active
// ones (newest first, keyset-paginated), revoke all of them, revoke one.

import { db } from "../database/client";
import { badRequest, notFound } from "../errors";
import { isUuid } from "../ids";
import { pageOfSessions, type PageRequest } from "./pagination";
import { revokeSessions } from "./revocation";
import type { SessionWithIdentity } from "./sessions";

export type SessionsPage = { sessions: SessionWithIdentity[]; nextPageToken?: string };

/** Sessions of the same identity that still count, apart from the current one. */
function otherActiveSessions(current: SessionWithIdentity, now: Date) {
  return { identityId: current.identityId, id: { not: current.id }, active: true, expiresAt: { gt: now } };
}

/** One page of the user's other active sessions, newest sign-in first (Kratos's listMySessions). */
export async function listOtherSessions(current: SessionWithIdentity, page: PageRequest): Promise<SessionsPage> {
  const { items, nextPageToken } = await pageOfSessions(otherActiveSessions(current, new Date()), page, (query) =>
    db().session.findMany(query),
  );
  // Every row belongs to the current identity: reuse it instead of joining it in again.
  const sessions = items.map((row) => ({ ...row, identity: current.identity }));
  return nextPageToken ? { sessions, nextPageToken } : { sessions };
}

/**
 * Signs out every other device of the user (Kratos's disableMyOtherSessions). Soft, like logout.
 * Returns how many sessions were still active, i.e. how many this call signed out.
 */
export async function revokeOtherSessions(current: SessionWithIdentity): Promise<number> {
  const revoked = await revokeSessions(
    { identityId: current.identityId, exceptSessionId: current.id },
    { reason: "revoked_other_sessions", initiatedBySessionId: current.id },
  );
  return revoked.length;
}

/**
 * Signs out one of the user's devices (Kratos's disableMySession). Idempotent: a session of theirs
 * that has already ended is "revoked" again without error. A session of someone else, or none at
 * all, is the same 404, so the answer never tells whether an id exists.
 */
export async function revokeMySession(current: SessionWithIdentity, rawId: string): Promise<void> {
  // A malformed id is a 400, as in Kratos: it cannot name anyone's session, so saying so reveals nothing.
  if (!isUuid(rawId)) throw badRequest("The session id must be a UUID.");
  const id = rawId.toLowerCase();
  if (id === current.id) {
    throw badRequest("This is the session of this request. Use the logout flow to end it.");
  }
  const mine = await db().session.findFirst({ where: { id, identityId: current.identityId }, select: { id: true } });
  if (!mine) throw notFound("No session with this id belongs to you.");
  await revokeSessions({ sessionId: id }, { reason: "revoked_by_user", initiatedBySessionId: current.id });
}
