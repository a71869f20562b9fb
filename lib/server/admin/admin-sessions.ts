// Every session, for operators (Kratos's admin session API): list them, read one, end one or all of
// an identity's, extend one. Revoking goes through revocation.ts like every other revocation, so it
// is recorded on the row, told to webhook receivers, and seen by every instance at once.

import { config } from "../config";
import { db, type Prisma } from "../database/client";
import { badRequest, notFound } from "../errors";
import { isUuid } from "../ids";
import { pageOfSessions, type Page, type PageRequest, type SessionFilter } from "../sessions/pagination";
import { revokeSessions, type RevokedSession } from "../sessions/revocation";
import { findSessionById, isActive, type SessionWithIdentity } from "../sessions/sessions";
import type { SessionExpansion } from "./admin-json";

const WITH_IDENTITY = { identity: { omit: { passwordHash: true } } } as const;

/** The `expand` query parameters (repeatable; case does not matter, as in Kratos). */
export function parseSessionExpansion(values: readonly string[]): SessionExpansion {
  const expansion = { identity: false, devices: false };
  for (const value of values) {
    const name = value.toLowerCase();
    if (name !== "identity" && name !== "devices") {
      throw badRequest(`Could not parse expand option: ${value}. Use identity or devices.`);
    }
    expansion[name] = true;
  }
  return expansion;
}

function filterWhere({ active }: SessionFilter, now: Date): Prisma.SessionWhereInput {
  if (active === undefined) return {};
  // A session counts while its row is active and unexpired; its identity's state is kept apart:
  // deactivating an identity revokes its sessions in the same transaction (admin-identities.ts).
  return active ? { active: true, expiresAt: { gt: now } } : { OR: [{ active: false }, { expiresAt: { lte: now } }] };
}

/** A path's id, lower-cased, or a 400: a malformed id names nothing, so saying so reveals nothing. */
function parseId(raw: string, what: "session" | "identity"): string {
  if (!isUuid(raw)) throw badRequest(`The ${what} id must be a UUID, got ${JSON.stringify(raw.slice(0, 64))}.`);
  return raw.toLowerCase();
}

function listPage(where: Prisma.SessionWhereInput, page: PageRequest): Promise<Page<SessionWithIdentity>> {
  return pageOfSessions(where, page, (query) => db().session.findMany({ ...query, include: WITH_IDENTITY }));
}

/** One page of every session, newest sign-in first (Kratos's listSessions). */
export function listAllSessions(filter: SessionFilter, page: PageRequest): Promise<Page<SessionWithIdentity>> {
  return listPage(filterWhere(filter, new Date()), page);
}

/** The session with this id, in whatever state it is (Kratos's getSession); 404 when there is none. */
export async function getSessionForAdmin(rawId: string): Promise<SessionWithIdentity> {
  const session = await findSessionById(parseId(rawId, "session"));
  if (!session) throw notFound("No session with this id exists.");
  return session;
}

async function identityExists(rawId: string): Promise<string> {
  const id = parseId(rawId, "identity");
  const identity = await db().identity.findUnique({ where: { id }, select: { id: true } });
  if (!identity) throw notFound("No identity with this id exists.");
  return id;
}

/** One page of an identity's sessions, newest sign-in first (Kratos's listIdentitySessions); 404 for no such identity. */
export async function listIdentitySessions(
  rawIdentityId: string,
  filter: SessionFilter,
  page: PageRequest,
): Promise<Page<SessionWithIdentity>> {
  const identityId = await identityExists(rawIdentityId);
  return listPage({ identityId, ...filterWhere(filter, new Date()) }, page);
}

const BY_ADMIN = { reason: "revoked_by_admin", initiatedBySessionId: null } as const;

/**
 * Ends one session (Kratos's disableSession): soft, like every revocation. Idempotent: a session
 * that has ended already is answered like one this call ended. Returns whether this call ended it.
 */
export async function revokeSessionAsAdmin(rawId: string): Promise<boolean> {
  const session = await getSessionForAdmin(rawId);
  const revoked = await revokeSessions({ sessionId: session.id }, BY_ADMIN);
  return revoked.length > 0;
}

/**
 * Ends every session of an identity that still counts (Kratos's deleteIdentitySessions), one
 * `session.revoked` event each. Kratos deletes the rows; here they stay, revoked, so the ended
 * sessions keep their record and each device is told. Returns the sessions this call ended.
 */
export async function revokeIdentitySessions(rawIdentityId: string): Promise<RevokedSession[]> {
  const identityId = await identityExists(rawIdentityId);
  return revokeSessions({ identityId }, BY_ADMIN);
}

/**
 * Extends a session (Kratos's extendSession): it now expires one session lifespan (SESSION_LIFESPAN)
 * from now, as a fresh sign-in would. Only a session that still counts: one that was revoked or
 * has expired stays ended (404, as Kratos answers an extension it does not make).
 */
export async function extendSession(rawId: string, now = new Date()): Promise<SessionWithIdentity> {
  const session = await getSessionForAdmin(rawId);
  const ended = () =>
    notFound(
      "The session has ended (it was revoked or it expired, or its identity is inactive) and cannot be extended.",
    );
  if (!isActive(session, now)) throw ended();
  // Conditional on the row still being active and unexpired: a revocation that commits in between wins.
  const { count } = await db().session.updateMany({
    where: { id: session.id, active: true, expiresAt: { gt: now } },
    data: { expiresAt: new Date(now.getTime() + config().sessionLifespanMs) },
  });
  const extended = count === 1 ? await findSessionById(session.id) : null;
  if (!extended) throw ended();
  return extended;
}
