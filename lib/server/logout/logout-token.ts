// A logout token is a signed statement "session S may be logged out until time T":
//   base64url(16-byte session UUID ‖ 8-byte expiry in ms) "." base64url(HMAC-SHA256)
// Signing instead of storing means issuing one writes nothing (every page with a Sign Out link
// would otherwise cost a database write) and costs microseconds. It is bound to one session,
// unforgeable without COOKIE_SECRET, short-lived, and worthless once its session has ended,
// because performing logout always checks the session itself in the database.

import { timingSafeEqual } from "node:crypto";
import { config } from "../config";
import { flowExpired, forbidden } from "../errors";
import { hmac } from "../secrets";

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

export type LogoutTokenClaims = { sessionId: string; expiresAt: number };

/** The token's claims; 403 when it is malformed, forged or tampered with, 410 once it has expired. */
export function verifyLogoutToken(token: string, now = Date.now()): LogoutTokenClaims {
  const match = TOKEN_FORMAT.exec(token);
  const invalid = () => forbidden("The logout token in the URL query is invalid. Get a new logout URL and try again.");
  if (!match) throw invalid();
  const [, encoded = "", signature = ""] = match;
  const payload = Buffer.from(encoded, "base64url");
  const given = Buffer.from(signature, "base64url");
  // One spelling per token: base64url's last character has unused low bits, so "…A" and "…B" can
  // decode to the same bytes. Only the encoding the issuer writes is accepted (a deny-list of tokens
  // would otherwise be bypassed by respelling one).
  if (payload.toString("base64url") !== encoded || given.toString("base64url") !== signature) throw invalid();
  const expected = hmac(logoutTokenKey(), encoded);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const hex = payload.subarray(0, 16).toString("hex");
  const sessionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expiresAt = Number(payload.readBigUInt64BE(16));
  // Checked after the signature, so a forged expiry is a 403, never a 410.
  if (expiresAt <= now) throw flowExpired("The logout link has expired. Get a new logout URL and try again.");
  return { sessionId, expiresAt };
}
