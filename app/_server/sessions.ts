// Sessions: created at sign-in, found from a request's credentials, revoked at logout.

import { config, publicUrl } from "./config";
import { db } from "./db";
import type { Identity, Session } from "./generated/prisma/client";
import { sessionTokenFromCookie } from "./session-cookie";
import { generateSessionToken, hashToken } from "./tokens";

/** An identity as sessions carry it: everything but the password hash, which is never loaded here. */
export type PublicIdentity = Omit<Identity, "passwordHash">;

export type SessionWithIdentity = Session & { identity: PublicIdentity };

/** How every session query loads its identity. */
export const WITH_IDENTITY = { identity: { omit: { passwordHash: true } } } as const;

export type Device = { ipAddress: string | null; userAgent: string | null };

export function isActive(session: SessionWithIdentity, now = new Date()): boolean {
  return session.active && session.expiresAt > now && session.identity.state === "active";
}

export async function createSession(
  identity: PublicIdentity,
  device: Device,
): Promise<{ session: SessionWithIdentity; token: string }> {
  const token = generateSessionToken();
  const now = new Date();
  const session = await db().session.create({
    data: {
      id: crypto.randomUUID(),
      tokenHash: hashToken(token),
      identityId: identity.id,
      issuedAt: now,
      authenticatedAt: now,
      expiresAt: new Date(now.getTime() + config().sessionLifespanMs),
      aal: "aal1",
      method: "password",
      deviceId: crypto.randomUUID(),
      ipAddress: device.ipAddress,
      userAgent: device.userAgent?.slice(0, 512) ?? null,
    },
    include: WITH_IDENTITY,
  });
  return { session, token };
}

/** The session a token belongs to, in whatever state it is (active, revoked or expired). */
export async function findSessionByToken(token: string): Promise<SessionWithIdentity | null> {
  return db().session.findUnique({ where: { tokenHash: hashToken(token) }, include: WITH_IDENTITY });
}

export async function findSessionById(id: string): Promise<SessionWithIdentity | null> {
  return db().session.findUnique({ where: { id }, include: WITH_IDENTITY });
}

export type RequestCredential = { token: string; source: "header" | "cookie" | "bearer" };

/**
 * The credential a request carries, looked for in Kratos's order: X-Session-Token, the session
 * cookie, Authorization: Bearer. The first one present decides; there is no fallback to the next.
 */
export async function requestCredential(headers: Headers): Promise<RequestCredential | undefined> {
  const header = headers.get("x-session-token")?.trim();
  if (header) return { token: header, source: "header" };
  const fromCookie = await sessionTokenFromCookie(headers);
  if (fromCookie) return { token: fromCookie, source: "cookie" };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer) return { token: bearer, source: "bearer" };
  return undefined;
}

/** The request's session if it is active (unexpired, not revoked, identity active). */
export async function activeSessionFromHeaders(headers: Headers): Promise<SessionWithIdentity | undefined> {
  const credential = await requestCredential(headers);
  if (!credential) return undefined;
  const session = await findSessionByToken(credential.token);
  return session && isActive(session) ? session : undefined;
}

/**
 * Soft revocation: the row stays (for the user's device list and audit), `active` turns false.
 * The `active: true` condition makes concurrent revocations of one session write exactly once.
 * Returns whether this call was the one that revoked it.
 */
export async function revokeSession(id: string): Promise<boolean> {
  const { count } = await db().session.updateMany({
    where: { id, active: true },
    data: { active: false, revokedAt: new Date() },
  });
  return count === 1;
}

/** The request's client as a session records it. */
export function deviceFromHeaders(headers: Headers): Device {
  // Next.js's server puts the peer address in X-Forwarded-For; behind a proxy, the proxy adds its own.
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { ipAddress: forwarded || headers.get("x-real-ip") || null, userAgent: headers.get("user-agent") };
}

export function identityJson(identity: PublicIdentity) {
  return {
    id: identity.id,
    schema_id: identity.schemaId,
    schema_url: publicUrl(`/schemas/${Buffer.from(identity.schemaId).toString("base64url")}`).href,
    state: identity.state,
    traits: { email: identity.email },
    metadata_public: null,
    created_at: identity.createdAt.toISOString(),
    updated_at: identity.updatedAt.toISOString(),
  };
}

/** Kratos's Session object. Never the token, never a password hash. */
export function sessionJson(session: SessionWithIdentity) {
  return {
    id: session.id,
    active: isActive(session),
    expires_at: session.expiresAt.toISOString(),
    authenticated_at: session.authenticatedAt.toISOString(),
    authenticator_assurance_level: session.aal,
    authentication_methods: [
      { method: session.method, aal: session.aal, completed_at: session.authenticatedAt.toISOString() },
    ],
    issued_at: session.issuedAt.toISOString(),
    identity: identityJson(session.identity),
    devices: [{ id: session.deviceId, ip_address: session.ipAddress, user_agent: session.userAgent, location: "" }],
  };
}
