// The session cookie: the session token sealed with iron-session (encrypted and authenticated with
// COOKIE_SECRET). The database stays the source of truth: the cookie only says which session to
// look up, so a copied cookie stops working the moment its session is revoked.

import { sealData, unsealData } from "iron-session";
import { config } from "@/lib/server/config";
import { clearCookie, readCookies, setCookie } from "./cookies";

type SealedSession = { session_token?: unknown };

// Unsealing costs about a millisecond of CPU and a given sealed value always unseals to the same
// token, so remember recent results. This weakens nothing: only a value that unsealed correctly is
// remembered, the key is the whole sealed string (unforgeable without the secret), and every
// request still checks the session in the database. A seal never outlives its session (same
// lifespan; re-authentication, the one thing that extends a session, seals a new cookie), so a
// remembered seal past its own expiry could only name a session that has expired too.
const UNSEALED_LIMIT = 10_000;
const unsealed = new Map<string, string>();

function remember(seal: string, token: string): void {
  if (unsealed.size >= UNSEALED_LIMIT) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = unsealed.keys().next().value;
    if (oldest !== undefined) unsealed.delete(oldest);
  }
  unsealed.set(seal, token);
}

function sealOptions() {
  const { cookieSecret, sessionLifespanMs } = config();
  return { password: cookieSecret, ttl: Math.ceil(sessionLifespanMs / 1000) };
}

export async function sessionCookie(token: string, expiresAt: Date): Promise<string> {
  const seal = await sealData({ session_token: token } satisfies SealedSession, sealOptions());
  remember(seal, token);
  return setCookie(config().sessionCookieName, seal, (expiresAt.getTime() - Date.now()) / 1000);
}

export function clearedSessionCookie(): string {
  return clearCookie(config().sessionCookieName);
}

/**
 * The session token inside the request's session cookie, or undefined when there is none or none
 * unseals. Of several cookies of that name, the first that unseals counts.
 */
export async function sessionTokenFromCookie(headers: Headers): Promise<string | undefined> {
  for (const seal of readCookies(headers, config().sessionCookieName)) {
    const token = unsealed.get(seal) ?? (await unseal(seal));
    if (token !== undefined) return token;
  }
  return undefined;
}

async function unseal(seal: string): Promise<string | undefined> {
  let data: SealedSession;
  try {
    data = await unsealData<SealedSession>(seal, sealOptions());
  } catch {
    return undefined; // not a seal at all
  }
  if (typeof data.session_token !== "string") return undefined; // tampered, expired or another secret's
  remember(seal, data.session_token);
  return data.session_token;
}
