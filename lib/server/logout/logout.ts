// Self-service logout: logout URLs for browsers, performing browser logout, and native logout.
// SPEC section 3 is the contract; the numbered comments below are the rows of its tables.

import { config, publicUrl } from "../config";
import { badRequest, forbidden, prefetchRefused, sessionInactive } from "../errors";
import type { LogoutUrlJson } from "../kratos-json";
import { allowedReturnTo } from "../return-to";
import { revokeSessions } from "../sessions/revocation";
import { findSessionById, findSessionByToken, isActive } from "../sessions/sessions";
import { issueLogoutToken, verifyLogoutToken } from "./logout-token";

/**
 * GET /self-service/logout/browser: the logout URL for a signed-in session. No database access at
 * all, so the Sign Out link on every page is free. `returnTo` must pass the return_to policy.
 */
export function createLogoutUrl(sessionId: string, returnTo?: string | null): LogoutUrlJson {
  const validated = returnTo ? allowedReturnTo(returnTo, config().logoutDefaultBrowserReturnUrl) : undefined;
  const token = issueLogoutToken(sessionId);
  const url = publicUrl("/self-service/logout");
  // Sorted query, as Kratos builds it: return_to before token.
  if (validated) url.searchParams.set("return_to", validated.href);
  url.searchParams.set("token", token);
  return { logout_token: token, logout_url: url.href };
}

/** What a browser's logout request says, read off the request by the route. */
export type BrowserLogoutRequest = {
  /** It is a link prefetch (Next's router, a browser's speculation rules), not a person's click. */
  prefetch: boolean;
  /** The `token` query parameter. */
  token: string | null;
  /** The `return_to` query parameter. */
  returnTo: string | null;
  /** The session token the request carries (cookie, X-Session-Token or Bearer), if any. */
  sessionToken: string | undefined;
};

export type BrowserLogoutResult = {
  /** Where the browser goes next. */
  returnTo: URL;
  /** This request ended the session; false when it had ended before (still a success). */
  revoked: boolean;
};

/**
 * GET /self-service/logout: the nine rows of SPEC section 3, in order. Rows 1–5 need no database,
 * rows 6–8 only read it, and nothing changes before every check has passed: the revocation in
 * row 9 is the one effect, committed before the caller answers. Throws KratosError for rows 1–6 and 8.
 */
export async function performBrowserLogout(
  request: BrowserLogoutRequest,
  now = new Date(),
): Promise<BrowserLogoutResult> {
  // 1. Prefetches are refused before anything else is looked at.
  if (request.prefetch) throw prefetchRefused();

  // 2. Token present.
  if (!request.token) throw badRequest("Please include a token in the URL query.");

  // 3, 4. Token authentic, then unexpired.
  const { sessionId } = verifyLogoutToken(request.token, now.getTime());

  // 5. A return_to here overrides the one given when the URL was created; it is checked again.
  const returnTo = allowedReturnTo(request.returnTo, config().logoutDefaultBrowserReturnUrl);

  // 6. The request's own session, if active, must be the token's session.
  const requestSession = request.sessionToken ? await findSessionByToken(request.sessionToken) : null;
  const requestSessionActive = requestSession !== null && isActive(requestSession, now);
  if (requestSessionActive && requestSession.id !== sessionId) {
    throw forbidden("Unable to log out because the logout token in the URL query does not match the session cookie.");
  }

  // 7. The token's session has ended already: logging out again is a success (idempotent).
  const tokenSession = requestSession?.id === sessionId ? requestSession : await findSessionById(sessionId);
  if (!tokenSession || !isActive(tokenSession, now)) return { returnTo, revoked: false };

  // 8. The token alone is not enough: the request must hold the session it names.
  if (!requestSessionActive) throw sessionInactive();

  // 9. Revoke (with its webhook event). Concurrent requests race on `active = true`; one writes
  // and announces, all succeed.
  const revoked = await revokeSessions(
    { sessionId: tokenSession.id },
    { reason: "logout", initiatedBySessionId: tokenSession.id },
    now,
  );
  return { returnTo, revoked: revoked.length > 0 };
}

/**
 * DELETE /self-service/logout/api: revokes the session of a well-formed session token. Idempotent:
 * a token whose session has ended already is a success too; a token that names no session is a 403.
 */
export async function performNativeLogout(sessionToken: string): Promise<void> {
  const session = await findSessionByToken(sessionToken);
  if (!session) {
    throw forbidden("The provided Ory Session Token could not be found, is invalid, or otherwise malformed.");
  }
  // Already revoked: nothing to write, and repeating a logout costs no write lock and no fsync.
  if (session.active) {
    await revokeSessions({ sessionId: session.id }, { reason: "native_logout", initiatedBySessionId: session.id });
  }
}
