// Many signed-in sessions, fast: rows inserted as createSession writes them and cookies sealed as
// the app seals them (same secret), so resilience tests need no password hashing per session.

import { sealData } from "iron-session";
import { generateSessionToken, hashToken } from "@/app/_server/tokens";
import { TEST_COOKIE_SECRET, type App } from "../support/app";

export type SignedInSession = { id: string; token: string; cookie: string };

const LIFESPAN_SECONDS = 24 * 60 * 60;

export async function insertSignedInSessions(app: App, count: number): Promise<SignedInSession[]> {
  const identity = await app.db.identity.create({
    data: { id: crypto.randomUUID(), email: `resilience-${crypto.randomUUID()}@example.com`, passwordHash: "unused" },
  });
  const now = new Date();
  const sessions = await Promise.all(
    Array.from({ length: count }, async () => {
      const token = generateSessionToken();
      const seal = await sealData({ session_token: token }, { password: TEST_COOKIE_SECRET, ttl: LIFESPAN_SECONDS });
      return { id: crypto.randomUUID(), token, cookie: `ory_kratos_session=${seal}` };
    }),
  );
  await app.db.session.createMany({
    data: sessions.map(({ id, token }) => ({
      id,
      tokenHash: hashToken(token),
      identityId: identity.id,
      issuedAt: now,
      authenticatedAt: now,
      expiresAt: new Date(now.getTime() + LIFESPAN_SECONDS * 1000),
      deviceId: crypto.randomUUID(),
    })),
  });
  return sessions;
}

export async function whoamiStatus(app: App, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${app.url}/sessions/whoami`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/** The logout URL of a signed-in browser, as a path. */
export async function logoutPath(app: App, cookie: string): Promise<string> {
  const response = await fetch(`${app.url}/self-service/logout/browser`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`logout URL: ${response.status} ${await response.text()}`);
  const url = new URL(((await response.json()) as { logout_url: string }).logout_url);
  return url.pathname + url.search;
}
