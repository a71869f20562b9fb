// The browser's CSRF token lives in an HttpOnly cookie; browser flows are bound to it (see
// lib/server/flows/flows.ts). This module only reads, issues and rotates the cookie.

import { generateCsrfToken } from "@/lib/server/secrets";
import { readCookies, setCookie } from "./cookies";

export const CSRF_COOKIE_NAME = "csrf_token";
const CSRF_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** The browser's CSRF tokens: every value of its cookie that has the right form (see readCookies). */
export function csrfCookieTokens(headers: Headers): string[] {
  return readCookies(headers, CSRF_COOKIE_NAME).filter((token) => /^[A-Za-z0-9]{32}$/.test(token));
}

/** The browser's CSRF token, if its cookie holds one of the right form. */
export function csrfCookieToken(headers: Headers): string | undefined {
  return csrfCookieTokens(headers)[0];
}

/** The browser's CSRF token, and the Set-Cookie header to send when it had none. */
export function csrfTokenFor(headers: Headers): { token: string; setCookie?: string } {
  const existing = csrfCookieToken(headers);
  return existing ? { token: existing } : rotatedCsrfToken();
}

/** A fresh token: logging out rotates it so forms rendered for the old session stop working. */
export function rotatedCsrfToken(): { token: string; setCookie: string } {
  const token = generateCsrfToken();
  return { token, setCookie: setCookie(CSRF_COOKIE_NAME, token, CSRF_COOKIE_MAX_AGE_SECONDS) };
}
