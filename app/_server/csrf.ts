// CSRF protection for browser flows. The browser holds a random token in an HttpOnly cookie; a
// browser flow records the token's hash and renders the token in its form. A submission must carry
// the token in its body, equal to the cookie's, and belong to the flow it was rendered for. A
// cross-site form can send the cookie but cannot read it to put it in the body.

import { readCookie, setCookie } from "./cookies";
import { csrfViolation } from "./errors";
import { generateCsrfToken, hashToken, safeEqual } from "./tokens";

export const CSRF_COOKIE_NAME = "csrf_token";
const CSRF_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** The browser's CSRF token, and the Set-Cookie header to send when it had none. */
export function csrfTokenFor(headers: Headers): { token: string; setCookie?: string } {
  const existing = readCookie(headers, CSRF_COOKIE_NAME);
  if (existing && /^[A-Za-z0-9]{32}$/.test(existing)) return { token: existing };
  return rotatedCsrfToken();
}

/** A fresh token: logging out rotates it so forms rendered for the old session stop working. */
export function rotatedCsrfToken(): { token: string; setCookie: string } {
  const token = generateCsrfToken();
  return { token, setCookie: setCookie(CSRF_COOKIE_NAME, token, CSRF_COOKIE_MAX_AGE_SECONDS) };
}

/** The browser's CSRF token when it is the one a flow was issued for; a flow is readable only by its browser. */
export function csrfTokenOfFlow(headers: Headers, flowCsrfTokenHash: string | null): string | undefined {
  const token = readCookie(headers, CSRF_COOKIE_NAME);
  return token && flowCsrfTokenHash && safeEqual(hashToken(token), flowCsrfTokenHash) ? token : undefined;
}

/** Throws security_csrf_violation unless body, cookie and flow agree. */
export function verifyCsrf(headers: Headers, submitted: unknown, flowCsrfTokenHash: string | null): void {
  const token = csrfTokenOfFlow(headers, flowCsrfTokenHash);
  if (typeof submitted !== "string" || token === undefined || !safeEqual(submitted, token)) throw csrfViolation();
}
