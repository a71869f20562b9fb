// Password hashing with scrypt, the memory-hard KDF in Node's own crypto (no native dependency).
// The stored form carries its parameters, so they can be raised later without a migration:
//   scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>

import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { passwordHashingBusy } from "../errors";

const LOG2_N = 15; // N = 32768, r = 8: 32 MiB and 50–180 ms per hash on the machines we measured.
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

// scrypt runs on libuv's thread pool (4 threads by default), which everything else that leaves
// the main thread shares, Web Crypto included: unsealing a session cookie for a whoami or a logout
// waits for a free thread. And each hash keeps a core busy. A flood of sign-ins must take neither
// all the threads nor all the cores, so hashes run on at most half the cores (at least one, at most
// two of the four threads) and at most MAX_WAITING wait; past that a sign-in is refused at once (503,
// try again) rather than queueing without end. Sign-in throttling (rate limits) keeps honest traffic
// far below this. (Measured on 2 cores under a flood of 16 wrong-password sign-ins: two hashes at
// once made whoami with a new cookie p50 45 ms and p99 1.1 s; one at once, p50 21–28 ms, p99 0.1–0.4 s.)
export const MAX_RUNNING = Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2)));
export const MAX_WAITING = 32;
let running = 0;
const waiting: (() => void)[] = [];

/** Time (ms of a core) that refills at `rate` ms per ms, up to `burst`; spending can overdraw it. */
export class TimeBudget {
  private balance: number;
  private at: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.balance = burst;
    this.at = now();
  }

  /** What is left (negative: owed). */
  left(): number {
    const now = this.now();
    this.balance = Math.min(this.burst, this.balance + (now - this.at) * this.rate);
    this.at = now;
    return this.balance;
  }

  spend(ms: number): void {
    this.balance = this.left() - ms;
  }

  /** How long until nothing is owed: 0 if nothing is. */
  waitMs(): number {
    return Math.max(0, -this.left() / this.rate);
  }
}

// A flood is made of wrong passwords (and unknown identifiers, checked against a decoy hash), so
// the hashing they take is budgeted on its own: on average at most a quarter of the cores' time,
// after a burst of a second's worth. While the budget is overdrawn the next hash waits until it is
// paid back, whichever password it checks (that one is wrong is known only after hashing it). Right
// passwords and new ones spend nothing: honest sign-ins at full load keep all of the hashing above,
// and a flood of wrong ones leaves whoami and logout three quarters of the machine, not half. Like
// the slots, the budget is the process's own: it shares out this process's cores, not any state a
// request relies on. (Measured on 2 cores under a flood with half of it a new identifier every
// time: whoami's and logout's p99 during it 90–117 ms with hashing's full core, 45–81 ms with half.)
export const wrongPasswords = new TimeBudget(Math.min(MAX_RUNNING, availableParallelism() / 4), 1000);

async function withHashingSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_RUNNING) running++;
  else if (waiting.length < MAX_WAITING) await new Promise<void>((resolve) => waiting.push(resolve));
  else throw passwordHashingBusy();
  try {
    const owed = wrongPasswords.waitMs();
    if (owed > 0) await sleep(owed);
    return await work();
  } finally {
    // The slot passes straight to the next in line, or is given back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** The key, and how long computing it took (ms). */
function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<{ key: Buffer; ms: number }> {
  return withHashingSlot(() => {
    const started = performance.now();
    return new Promise((resolve, reject) =>
      scryptCallback(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) =>
        error ? reject(error) : resolve({ key, ms: performance.now() - started }),
      ),
    );
  });
}

function options(log2N: number, r: number, p: number): ScryptOptions {
  const N = 2 ** log2N;
  return { N, r, p, maxmem: 256 * N * r };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { key } = await scrypt(password, salt, options(LOG2_N, R, P));
  return ["scrypt", LOG2_N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, log2N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  const { key: actual, ms } = await scrypt(
    password,
    Buffer.from(salt, "base64url"),
    options(Number(log2N), Number(r), Number(p)),
  );
  const right = actual.length === expected.length && timingSafeEqual(actual, expected);
  if (!right) wrongPasswords.spend(ms);
  return right;
}

/**
 * A hash of a password nobody knows. Verifying against it when an email is unknown makes
 * "no such account" take as long as "wrong password", so response times do not reveal accounts.
 */
let decoy: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString("base64url"));
  return decoy;
}
