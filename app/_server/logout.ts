// Self-service logout: logout URLs for browsers, performing browser logout, and native logout.
// SPEC section 3 is the contract; the numbered comments below are the rows of its tables.

import { timingSafeEqual } from "node:crypto";
import { config, publicUrl } from "./config";
import { rotatedCsrfToken } from "./csrf";
import { badRequest, flowExpired, forbidden, HttpError, sessionInactive } from "./errors";
import { readBody } from "./request-body";
import { allowedReturnTo } from "./return-to";
import { clearedSessionCookie } from "./session-cookie";
import {
  findSessionById,
  findSessionByToken,
  isActive,
  requestCredential,
  revokeSession,
  type SessionWithIdentity,
} from "./sessions";
import { hmac, SESSION_TOKEN_PATTERN } from "./tokens";

// ---------------------------------------------------------------------------------------------
// Logout tokens
//
// A logout token is a signed statement "session S may be logged out until time T":
//   base64url(16-byte session UUID ‖ 8-byte expiry in ms) "." base64url(HMAC-SHA256)
// Signing instead of storing means issuing one writes nothing (every page with a Sign Out link
// would otherwise cost a database write) and costs microseconds. It is bound to one session,
// unforgeable without COOKIE_SECRET, short-lived, and worthless once its session has ended,
// because performing logout always checks the session itself in the database.

const TOKEN_FORMAT = /^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$/;

let signingKey: { secret: string; key: Buffer } | undefined;

/** A key of its own, derived from COOKIE_SECRET, so a logout token is never valid as anything else. */
function logoutTokenKey(): Buffer {
  const { cookieSecret } = config();
  if (signingKey?.secret !== cookieSecret) {
    signingKey = { secret: cookieSecret, key: hmac(cookieSecret, "kratos-logout-reference/logout-token/v1") };
  }
  return signingKey.key;
}

export function issueLogoutToken(sessionId: string, now = Date.now()): string {
  const payload = Buffer.alloc(24);
  Buffer.from(sessionId.replaceAll("-", ""), "hex").copy(payload, 0);
  payload.writeBigUInt64BE(BigInt(now + config().logoutTokenTtlMs), 16);
  const encoded = payload.toString("base64url");
  return `${encoded}.${hmac(logoutTokenKey(), encoded).toString("base64url")}`;
}

type LogoutTokenClaims = { sessionId: string; expiresAt: number };

/** The token's claims; 403 when it is malformed, forged or tampered with, 410 once it has expired. */
export function verifyLogoutToken(token: string, now = Date.now()): LogoutTokenClaims {
  const match = TOKEN_FORMAT.exec(token);
  const invalid = () => forbidden("The logout token in the URL query is invalid. Get a new logout URL and try again.");
  if (!match) throw invalid();
  const [, encoded = "", signature = ""] = match;
  const expected = hmac(logoutTokenKey(), encoded);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const payload = Buffer.from(encoded, "base64url");
  const hex = payload.subarray(0, 16).toString("hex");
  const sessionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expiresAt = Number(payload.readBigUInt64BE(16));
  // Checked after the signature, so a forged expiry is a 403, never a 410.
  if (expiresAt <= now) throw flowExpired("The logout link has expired. Get a new logout URL and try again.");
  return { sessionId, expiresAt };
}

// ---------------------------------------------------------------------------------------------
// GET /self-service/logout/browser

export type LogoutUrl = { logout_token: string; logout_url: string };

/**
 * The logout URL for a signed-in session. Pure computation: no database access at all, so the
 * Sign Out link on every page is free. `returnTo` must pass the return_to policy.
 */
export function createLogoutUrl(session: Pick<SessionWithIdentity, "id">, returnTo?: string | null): LogoutUrl {
  const validated = returnTo ? allowedReturnTo(returnTo, config().logoutDefaultBrowserReturnUrl) : undefined;
  const token = issueLogoutToken(session.id);
  const url = publicUrl("/self-service/logout");
  // Sorted query, as Kratos builds it: return_to before token.
  if (validated) url.searchParams.set("return_to", validated.href);
  url.searchParams.set("token", token);
  return { logout_token: token, logout_url: url.href };
}

// ---------------------------------------------------------------------------------------------
// GET /self-service/logout

const PREFETCH_HEADERS: ReadonlyArray<[string, RegExp]> = [
  ["next-router-prefetch", /./],
  ["purpose", /prefetch/i],
  ["sec-purpose", /prefetch/i],
  ["x-moz", /prefetch/i],
];

/** Link prefetching (Next's router, browsers' speculation rules) must never sign anyone out. */
export function isPrefetch(headers: Headers): boolean {
  return PREFETCH_HEADERS.some(([name, pattern]) => pattern.test(headers.get(name) ?? ""));
}

export const prefetchRefused = () =>
  new HttpError(400, "The request was malformed or contained invalid parameters", {
    reason: "Prefetch requests cannot sign out. Open the logout link to sign out.",
  });

export type BrowserLogoutResult = {
  /** "revoked": this request ended the session; "already": it had ended before (still a success). */
  outcome: "revoked" | "already";
  returnTo: URL;
  cookies: string[];
  headers: Record<string, string>;
};

function isHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return (forwarded ?? new URL(request.url).protocol.replace(/:$/, "")) === "https";
}

/**
 * Performs browser logout. Every check runs before anything changes; the session is revoked
 * (durably, before the answer is sent) only when the request proves it holds the session the
 * token was issued for. Throws HttpError for rows 1–6 and 8.
 */
export async function performBrowserLogout(request: Request): Promise<BrowserLogoutResult> {
  const query = new URL(request.url).searchParams;

  // 1. Prefetches are refused before anything else is looked at.
  if (isPrefetch(request.headers)) throw prefetchRefused();

  // 2. Token present.
  const token = query.get("token");
  if (!token) throw badRequest("Please include a token in the URL query.");

  // 3, 4. Token authentic, then unexpired.
  const claims = verifyLogoutToken(token);

  // 5. A return_to here overrides the one given when the URL was created; it is checked again.
  const returnTo = allowedReturnTo(query.get("return_to"), config().logoutDefaultBrowserReturnUrl);

  // 6. The request's own session, if active, must be the token's session.
  const credential = await requestCredential(request.headers);
  const requestSession = credential ? await findSessionByToken(credential.token) : null;
  const requestSessionActive = requestSession !== null && isActive(requestSession);
  if (requestSessionActive && requestSession.id !== claims.sessionId) {
    throw forbidden("Unable to log out because the logout token in the URL query does not match the session cookie.");
  }

  const completed = (outcome: BrowserLogoutResult["outcome"], clearCookie: boolean): BrowserLogoutResult => ({
    outcome,
    returnTo,
    // Rotating the CSRF token invalidates forms that were rendered for the ended session.
    cookies: [...(clearCookie ? [clearedSessionCookie()] : []), rotatedCsrfToken().setCookie],
    headers:
      config().logoutClearBrowserData && isHttps(request) ? { "Clear-Site-Data": '"cookies", "storage", "cache"' } : {},
  });

  // 7. The token's session has ended already: logging out again is a success (idempotent).
  const tokenSession =
    requestSession?.id === claims.sessionId
      ? requestSession
      : await findSessionById(claims.sessionId);
  if (!tokenSession || !isActive(tokenSession)) {
    // Whatever session cookie the request still carries is stale: clear it.
    return completed("already", credential?.source === "cookie");
  }

  // 8. The token alone is not enough: the request must hold the session it names.
  if (!requestSessionActive) throw sessionInactive();

  // 9. Revoke. Concurrent requests race on `active = true`; one writes, all succeed.
  await revokeSession(tokenSession.id);
  return completed("revoked", credential?.source === "cookie");
}

// ---------------------------------------------------------------------------------------------
// DELETE /self-service/logout/api

/**
 * Revokes the session of a session token. Never touches cookies. Idempotent: a token whose
 * session has ended already is a success too. 400 for anything that is not a well-formed
 * request with a well-formed token, 403 for a well-formed token that names no session.
 */
export async function performNativeLogout(request: Request): Promise<void> {
  const { fields } = await readBody(request, ["json"]);
  const sessionToken = fields.session_token;
  if (sessionToken === undefined || sessionToken === null || sessionToken === "") {
    throw badRequest("Please include the session_token to revoke in the request body.");
  }
  if (typeof sessionToken !== "string") throw badRequest("The session_token must be a string.");
  if (!SESSION_TOKEN_PATTERN.test(sessionToken)) {
    throw badRequest("The session_token is malformed: an Ory Session Token is ory_st_ followed by 32 letters and digits.");
  }
  const session = await findSessionByToken(sessionToken);
  if (!session) {
    throw forbidden("The provided Ory Session Token could not be found, is invalid, or otherwise malformed.");
  }
  // Already revoked: nothing to write, and repeating a logout costs no write lock and no fsync.
  if (session.active) await revokeSession(session.id);
}
