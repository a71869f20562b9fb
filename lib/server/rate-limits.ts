// Abuse limits, counted in the database so that every instance counts the same events:
//   - failed sign-ins per client address, and per identifier a backoff that doubles after a few
//     failures (guessing one account's password becomes hopeless; its owner is slowed, not locked out);
//   - registrations and new flows per client address (each writes a row: the disk is not a commons).
// A refused request is refused before any password is hashed and before anything is written for
// it, with 429 and the seconds until trying again makes sense, after a pause (see refuse). Logout,
// whoami and logout URLs are never limited: signing out must always work. RATE_LIMITS=off turns
// every limit off.

import { isIP } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { config, type Limit, type RateLimits } from "./config";
import { db } from "./database/client";
import { tooManyAttempts } from "./errors";
import { normaliseEmail } from "./identities/identities";
import { hashToken } from "./secrets";

/** Past this many failures' worth of doubling, one identifier may try once every 15 minutes. */
const MAX_BACKOFF_MS = 15 * 60_000;
/** An identifier's failures are forgotten after this long without another. */
const BACKOFF_MEMORY_MS = 60 * 60_000;

/**
 * Whom an address limit counts. An IPv6 client usually holds a whole /64, so it is counted as one;
 * an unknown address (no peer, in tests) is one bucket of its own.
 */
function addressSubject(address: string | null): string {
  if (!address) return "unknown";
  if (isIP(address) !== 6) return address;
  const groups = address.split("::");
  const head = (groups[0] ?? "").split(":").filter(Boolean);
  const tail = groups.length > 1 ? (groups[1] ?? "").split(":").filter(Boolean) : [];
  const full = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
  return `${full.slice(0, 4).join(":")}::/64`;
}

/**
 * One more event in the current fixed window of `limit` for `subject`, as a statement not yet sent
 * (INSERT … ON CONFLICT DO UPDATE on both databases: concurrent requests on any instance each get
 * their own count).
 */
function countStatement(name: string, subject: string, limit: Limit, now: Date) {
  const window = Math.floor(now.getTime() / limit.windowMs);
  const key = `${name}:${subject}:${window}`;
  const expiresAt = new Date((window + 1) * limit.windowMs);
  return db().rateLimit.upsert({
    where: { key },
    create: { key, count: 1, lastCountedAt: now, expiresAt },
    update: { count: { increment: 1 }, lastCountedAt: now },
  });
}

/** One more event in the current fixed window of `limit` for `subject`; how many there are now. */
async function count(name: string, subject: string, limit: Limit, now: Date) {
  const row = await countStatement(name, subject, limit, now);
  return { count: row.count, retryAfterMs: row.expiresAt.getTime() - now.getTime() };
}

/** How many events the current window of `limit` holds for `subject`, without counting one. */
async function current(name: string, subject: string, limit: Limit, now: Date) {
  const window = Math.floor(now.getTime() / limit.windowMs);
  const row = await db().rateLimit.findUnique({ where: { key: `${name}:${subject}:${window}` } });
  return { count: row?.count ?? 0, retryAfterMs: (window + 1) * limit.windowMs - now.getTime() };
}

/**
 * Refuses, after RATE_LIMIT_REFUSAL_DELAY (1 s). A refusal is cheap but not free (the request's
 * parsing, a lookup or two, the answer), and a client that ignores Retry-After asks again as soon as
 * it is answered: answered at once, a few such clients keep a core busy with refusals and everyone
 * else waits behind them. The pause holds nothing but the connection, and slows each such client to
 * one attempt a second. `retryAfterMs` counts from now; the answer says how long is left after the
 * pause.
 */
async function refuse(limits: RateLimits, retryAfterMs: number): Promise<never> {
  await sleep(limits.refusalDelayMs);
  throw tooManyAttempts(Math.max(1, Math.ceil((retryAfterMs - limits.refusalDelayMs) / 1000)));
}

/** Counts a new flow for this address; 429 past RATE_LIMIT_FLOWS. */
export async function countNewFlow(address: string | null, now = new Date()): Promise<void> {
  const limits = config().rateLimits;
  if (!limits) return;
  const { count: flows, retryAfterMs } = await count("flows", addressSubject(address), limits.flows, now);
  if (flows > limits.flows.count) await refuse(limits, retryAfterMs);
}

/** Counts a registration for this address; 429 past RATE_LIMIT_REGISTRATIONS. */
export async function countRegistration(address: string | null, now = new Date()): Promise<void> {
  const limits = config().rateLimits;
  if (!limits) return;
  const { count: registrations, retryAfterMs } = await count(
    "registrations",
    addressSubject(address),
    limits.registrations,
    now,
  );
  if (registrations > limits.registrations.count) await refuse(limits, retryAfterMs);
}

// Hashed: the table never holds an address book of who tried to sign in.
const identifierSubject = (identifier: string) => hashToken(normaliseEmail(identifier));

/**
 * Before a password is checked: 429 while this address has failed too often in the current window,
 * or while this identifier's backoff runs (after LOGIN_BACKOFF_AFTER failures, 1 s, 2 s, 4 s, … up
 * to 15 minutes from its latest failure).
 */
export async function assertSignInAllowed(identifier: string, address: string | null, now = new Date()) {
  const limits = config().rateLimits;
  if (!limits) return;
  const byAddress = await current("login_failures", addressSubject(address), limits.loginFailures, now);
  if (byAddress.count >= limits.loginFailures.count) await refuse(limits, byAddress.retryAfterMs);
  const backoff = await db().rateLimit.findUnique({ where: { key: `login_backoff:${identifierSubject(identifier)}` } });
  if (!backoff || backoff.expiresAt <= now || backoff.count < limits.loginBackoffAfter) return;
  const waitMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (backoff.count - limits.loginBackoffAfter));
  const allowedAt = backoff.lastCountedAt.getTime() + waitMs;
  if (now.getTime() < allowedAt) await refuse(limits, allowedAt - now.getTime());
}

/** After a failed sign-in: counts it for the address and for the identifier's backoff. */
export async function recordSignInFailure(identifier: string, address: string | null, now = new Date()) {
  const limits = config().rateLimits;
  if (!limits) return;
  const key = `login_backoff:${identifierSubject(identifier)}`;
  const expiresAt = new Date(now.getTime() + BACKOFF_MEMORY_MS);
  // One transaction: one commit (on SQLite, one sync of the file on the server's main thread) for
  // the three writes, which matters most during a flood of wrong passwords.
  await db().$transaction([
    countStatement("login_failures", addressSubject(address), limits.loginFailures, now),
    // Failures long forgotten start the count again.
    db().rateLimit.deleteMany({ where: { key, expiresAt: { lte: now } } }),
    db().rateLimit.upsert({
      where: { key },
      create: { key, count: 1, lastCountedAt: now, expiresAt },
      update: { count: { increment: 1 }, lastCountedAt: now, expiresAt },
    }),
  ]);
}

/** After a successful sign-in: the identifier's owner is not slowed down by earlier failures. */
export async function clearSignInFailures(identifier: string): Promise<void> {
  if (!config().rateLimits) return;
  await db().rateLimit.deleteMany({ where: { key: `login_backoff:${identifierSubject(identifier)}` } });
}

/** Before an admin request's token is checked: 429 while this address has sent too many wrong ones. */
export async function assertAdminAttemptAllowed(address: string | null, now = new Date()): Promise<void> {
  const limits = config().rateLimits;
  if (!limits) return;
  const byAddress = await current("admin_failures", addressSubject(address), limits.adminFailures, now);
  if (byAddress.count >= limits.adminFailures.count) await refuse(limits, byAddress.retryAfterMs);
}

/** After a request with a wrong admin token. */
export async function recordAdminFailure(address: string | null, now = new Date()): Promise<void> {
  const limits = config().rateLimits;
  if (!limits) return;
  await count("admin_failures", addressSubject(address), limits.adminFailures, now);
}
