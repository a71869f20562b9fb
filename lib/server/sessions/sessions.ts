// Sessions: created at sign-in and found by their token; revocation.ts ends them. The database is the
// source of truth: a credential only names a session, and every request asks the database whether it counts.

import { config } from "../config";
import { db, Prisma, type Identity, type Session } from "../database/client";
import { generateSessionToken, hashToken } from "../secrets";

/** An identity as sessions carry it: everything but the password hash, which is never loaded here. */
export type PublicIdentity = Omit<Identity, "passwordHash">;

export type SessionWithIdentity = Session & { identity: PublicIdentity };

/** How every session query loads its identity. */
const WITH_IDENTITY = { identity: { omit: { passwordHash: true } } } as const;

/** The client a session was created from, as the session records it. */
export type Device = { ipAddress: string | null; userAgent: string | null };

const USER_AGENT_MAX_LENGTH = 512;

/** A session counts while it is active, unexpired and its identity is active. */
export function isActive(session: SessionWithIdentity, now = new Date()): boolean {
  return session.active && session.expiresAt > now && session.identity.state === "active";
}

/** A new session of an identity, as its row, and the token that names it (stored only hashed). */
export function newSession(identityId: string, device: Device, now = new Date()) {
  const token = generateSessionToken();
  const row = {
    id: crypto.randomUUID(),
    tokenHash: hashToken(token),
    identityId,
    issuedAt: now,
    authenticatedAt: now,
    expiresAt: new Date(now.getTime() + config().sessionLifespanMs),
    aal: "aal1",
    method: "password",
    deviceId: crypto.randomUUID(),
    ipAddress: device.ipAddress,
    userAgent: device.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
  } satisfies Prisma.SessionCreateManyInput;
  return { row, token };
}

/** Signs an identity in: a new session and the token that names it (shown to the client once). */
export async function createSession(
  identity: PublicIdentity,
  device: Device,
  now = new Date(),
): Promise<{ session: SessionWithIdentity; token: string }> {
  const { row, token } = newSession(identity.id, device, now);
  const session = await db().session.create({ data: row, include: WITH_IDENTITY });
  return { session, token };
}

/** One entry of Kratos's authentication_methods: how and when the session's identity proved who it is. */
export type AuthenticationMethod = { method: string; aal: string; completed_at: string };

/** The session's authentication_methods, oldest first. */
export function authenticationMethods(session: Session): AuthenticationMethod[] {
  if (session.authenticationMethods) return JSON.parse(session.authenticationMethods) as AuthenticationMethod[];
  return [{ method: session.method, aal: session.aal, completed_at: session.authenticatedAt.toISOString() }];
}

/**
 * Re-authentication (a refresh login flow) as Kratos does it: the same session, token and id, now
 * authenticated again: authenticated_at and issued_at move to now, the lifespan starts over, and the
 * method is added to authentication_methods. Only a session that is still active is refreshed;
 * undefined when it ended meanwhile.
 */
export async function reauthenticateSession(
  session: SessionWithIdentity,
  method: string,
  now = new Date(),
): Promise<SessionWithIdentity | undefined> {
  const methods = [...authenticationMethods(session), { method, aal: "aal1", completed_at: now.toISOString() }];
  const { count } = await db().session.updateMany({
    where: { id: session.id, active: true },
    data: {
      authenticatedAt: now,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + config().sessionLifespanMs),
      authenticationMethods: JSON.stringify(methods),
    },
  });
  return count === 1 ? ((await findSessionById(session.id)) ?? undefined) : undefined;
}

// A session and its identity in one statement: every request that carries a credential runs this,
// and Prisma's `include` would read the identity with a second query (its join strategy is for
// PostgreSQL only). Plain SQL that SQLite and PostgreSQL read alike, and that Prisma decodes into the
// same types on both; every route test runs it on both (and tests/routes/whoami.test.ts compares it
// with Prisma's own `include`, so a column added to the models and forgotten here fails a test).
const SESSION_WITH_IDENTITY = Prisma.sql`
  SELECT s."id", s."token_hash" AS "tokenHash", s."identity_id" AS "identityId", s."active",
         s."issued_at" AS "issuedAt", s."authenticated_at" AS "authenticatedAt", s."expires_at" AS "expiresAt",
         s."revoked_at" AS "revokedAt", s."revocation_reason" AS "revocationReason",
         s."revoked_by_session_id" AS "revokedBySessionId", s."aal", s."method",
         s."authentication_methods" AS "authenticationMethods", s."device_id" AS "deviceId",
         s."ip_address" AS "ipAddress", s."user_agent" AS "userAgent",
         i."email" AS "identityEmail", i."state" AS "identityState", i."schema_id" AS "identitySchemaId",
         i."created_at" AS "identityCreatedAt", i."updated_at" AS "identityUpdatedAt"
  FROM "sessions" s JOIN "identities" i ON i."id" = s."identity_id"`;

type SessionWithIdentityRow = Session & {
  identityEmail: string;
  identityState: string;
  identitySchemaId: string;
  identityCreatedAt: Date;
  identityUpdatedAt: Date;
};

async function findSession(where: Prisma.Sql): Promise<SessionWithIdentity | null> {
  const [row] = await db().$queryRaw<SessionWithIdentityRow[]>`${SESSION_WITH_IDENTITY} WHERE ${where}`;
  if (!row) return null;
  const { identityEmail, identityState, identitySchemaId, identityCreatedAt, identityUpdatedAt, ...session } = row;
  const identity = {
    id: session.identityId,
    email: identityEmail,
    state: identityState,
    schemaId: identitySchemaId,
    createdAt: identityCreatedAt,
    updatedAt: identityUpdatedAt,
  } satisfies Required<PublicIdentity>;
  return { ...session, identity };
}

/** The session a token belongs to, in whatever state it is (active, revoked or expired). */
export async function findSessionByToken(token: string): Promise<SessionWithIdentity | null> {
  return findSession(Prisma.sql`s."token_hash" = ${hashToken(token)}`);
}

export async function findSessionById(id: string): Promise<SessionWithIdentity | null> {
  return findSession(Prisma.sql`s."id" = ${id}`);
}

/** The token's session if it counts (active, unexpired, identity active); otherwise undefined. */
export async function findActiveSession(token: string): Promise<SessionWithIdentity | undefined> {
  const session = await findSessionByToken(token);
  return session && isActive(session) ? session : undefined;
}
