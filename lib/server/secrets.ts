// Secrets that identify a user: made by a CSPRNG, stored only as hashes, compared in constant time.

import { createHash, createHmac, randomInt, timingSafeEqual } from "node:crypto";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `ory_st_` followed by 32 characters of [A-Za-z0-9]. */
export const SESSION_TOKEN_PATTERN = /^ory_st_[A-Za-z0-9]{32}$/;

function randomAlphanumeric(length: number): string {
  // randomInt draws from the CSPRNG without modulo bias.
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

export function generateSessionToken(): string {
  return `ory_st_${randomAlphanumeric(32)}`;
}

export function generateCsrfToken(): string {
  return randomAlphanumeric(32);
}

/**
 * What is stored in place of a token. A plain SHA-256 is enough: the tokens carry 190 bits of
 * randomness, so there is nothing to brute-force, and lookups stay a single indexed equality.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** Constant-time equality for secrets of any length (a length mismatch is not an early exit). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}
