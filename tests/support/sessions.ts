// Signed-in sessions without the password step: made by the code a sign-in runs once the password
// has been checked (a new session's row, then the session cookie's seal), so each is exactly what a
// browser or an app holds after signing in. For tests that are about sessions, not about passwords.

import { sessionCookie } from "@/lib/http/session-cookie";
import { db, type Identity } from "@/lib/server/database/client";
import { createSession, newSession, type Device } from "@/lib/server/sessions/sessions";

export type SignedIn = {
  id: string;
  identityId: string;
  /** The session token, as an API client holds it. */
  token: string;
  /** The session cookie, `name=value`, as a browser sends it. */
  cookie: string;
};

const TEST_DEVICE: Device = { ipAddress: "127.0.0.1", userAgent: "tests" };

/** An identity that has no usable password: it signs in only through these fixtures. */
export async function testIdentity(email = `fixture-${crypto.randomUUID()}@example.com`): Promise<Identity> {
  return db().identity.create({ data: { id: crypto.randomUUID(), email, passwordHash: "no-password" } });
}

async function withCookie(session: { id: string; identityId: string; expiresAt: Date }, token: string) {
  const cookie = (await sessionCookie(token, session.expiresAt)).split(";", 1)[0]!;
  return { id: session.id, identityId: session.identityId, token, cookie };
}

/** One signed-in session (of a new identity unless one is given), as sign-in creates it. */
export async function signedIn(identity?: Identity, device: Device = TEST_DEVICE): Promise<SignedIn> {
  const { session, token } = await createSession(identity ?? (await testIdentity()), device);
  return withCookie(session, token);
}

/** `count` sessions of one identity (a new one unless given), stored in one statement. */
export async function signedInSessions(count: number, identity?: Identity): Promise<SignedIn[]> {
  const owner = identity ?? (await testIdentity());
  const sessions = Array.from({ length: count }, () => newSession(owner.id, TEST_DEVICE));
  // Bounded by SQLite's limit of bound parameters per statement.
  for (let i = 0; i < sessions.length; i += 2_000) {
    await db().session.createMany({ data: sessions.slice(i, i + 2_000).map(({ row }) => row) });
  }
  return Promise.all(sessions.map(({ row, token }) => withCookie(row, token)));
}
