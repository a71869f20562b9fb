// The signed-in user's own sessions, as Kratos's frontend API offers them: list the other active
// ones (newest first, keyset-paginated), revoke all of them, revoke one.

import { db } from "../database/client";
import { badRequest, notFound } from "../errors";
import { isUuid } from "../ids";
import { revokeSessions } from "./revocation";
import type { SessionWithIdentity } from "./sessions";

// Kratos's keyset pagination: 250 by default, at most 1000; a larger page_size is clamped, not refused.
export const DEFAULT_PAGE_SIZE = 250;
export const MAX_PAGE_SIZE = 1000;

/** Where a page starts: after the session with this sign-in time and id, in newest-first order. */
type Cursor = { authenticatedAt: Date; id: string };

export type PageRequest = { size: number; after?: Cursor };

export type SessionsPage = { sessions: SessionWithIdentity[]; nextPageToken?: string };

/**
 * The page token is the last listed session's (authenticated_at, id), base64url-encoded. It needs no
 * signature: every query is scoped to the signed-in identity, so a forged token only moves the cursor.
 */
function encodePageToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.authenticatedAt.getTime(), cursor.id])).toString("base64url");
}

function decodePageToken(token: string): Cursor {
  try {
    const [ms, id] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown[];
    if (Number.isSafeInteger(ms) && typeof id === "string" && isUuid(id)) {
      return { authenticatedAt: new Date(ms as number), id };
    }
  } catch {
    // falls through to the 400 below
  }
  throw badRequest("The page_token is not valid. Use the one from the Link header of the previous page.");
}

/** `page_size` and `page_token` as the query string gave them (null when absent); anything malformed is a 400. */
export function parsePageRequest(pageSize: string | null, pageToken: string | null): PageRequest {
  let size = DEFAULT_PAGE_SIZE;
  if (pageSize) {
    if (!/^\d{1,9}$/.test(pageSize) || Number(pageSize) < 1) {
      throw badRequest(`The page_size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
    size = Math.min(Number(pageSize), MAX_PAGE_SIZE);
  }
  return pageToken ? { size, after: decodePageToken(pageToken) } : { size };
}

/**
 * `active` as the query string gave it: true, false, or undefined when absent. Kratos's admin
 * session list has this filter; here it lets a user read their own ended sessions (README).
 */
export function parseActiveFilter(active: string | null): boolean | undefined {
  if (active === null || active === "") return undefined;
  if (active === "true" || active === "false") return active === "true";
  throw badRequest('The active filter must be "true" or "false".');
}

/** Sessions of the same identity that still count, apart from the current one. */
function otherActiveSessions(current: SessionWithIdentity, now: Date) {
  return { identityId: current.identityId, id: { not: current.id }, active: true, expiresAt: { gt: now } };
}

/** One page of the user's other active sessions, newest sign-in first (Kratos's listMySessions). */
export async function listOtherSessions(current: SessionWithIdentity, page: PageRequest): Promise<SessionsPage> {
  const after = page.after;
  const rows = await db().session.findMany({
    where: {
      ...otherActiveSessions(current, new Date()),
      ...(after && {
        OR: [
          { authenticatedAt: { lt: after.authenticatedAt } },
          { authenticatedAt: after.authenticatedAt, id: { lt: after.id } },
        ],
      }),
    },
    // The id breaks ties between sessions signed in at the same millisecond, so no page repeats or skips one.
    orderBy: [{ authenticatedAt: "desc" }, { id: "desc" }],
    // One more than asked for tells whether there is a next page without counting.
    take: page.size + 1,
  });
  // Every row belongs to the current identity: reuse it instead of joining it in again.
  const sessions = rows.slice(0, page.size).map((row) => ({ ...row, identity: current.identity }));
  const last = sessions.at(-1);
  return rows.length > page.size && last ? { sessions, nextPageToken: encodePageToken(last) } : { sessions };
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
