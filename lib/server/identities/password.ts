// Password hashing with scrypt, the memory-hard KDF in Node's own crypto (no native dependency).
// The stored form carries its parameters, so they can be raised later without a migration:
//   scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>

import { randomBytes, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { passwordHashingBusy } from "../errors";

const LOG2_N = 15; // N = 32768, r = 8: 32 MiB and ~50 ms per hash on the machines we measured.
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

// Each hash keeps a core busy for its whole length, and a flood of sign-ins must not take the
// cores (or libuv's thread pool, which unsealing session cookies needs) from whoami and logout. So
// hashes run on threads of their own, at most half the cores (at least one, at most two), at the
// lowest scheduling priority: they get whatever CPU the rest of the server leaves, and a busy
// server slows sign-ins down rather than sign-outs. At most MAX_WAITING wait; past that a sign-in is
// refused at once (503, try again) rather than queueing without end. Sign-in throttling (rate
// limits) keeps honest traffic far below this.
export const MAX_RUNNING = Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2)));
export const MAX_WAITING = 32;

// The hashing thread's whole program (plain JavaScript, so no bundler needs to know of a file).
// Linux keeps a nice value per thread: setPriority here lowers this thread's only.
const HASHER = `
const { parentPort } = require("node:worker_threads");
const { scryptSync } = require("node:crypto");
try { require("node:os").setPriority(19); } catch {}
parentPort.on("message", ({ password, salt, keyLength, options }) => {
  try {
    parentPort.postMessage({ key: scryptSync(password, salt, keyLength, options) });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
});
`;

type Hasher = { worker: Worker; stopped?: boolean; done?: (answer: { key?: Uint8Array; error?: string }) => void };
const idle: Hasher[] = [];
let running = 0;
const waiting: ((hasher: Hasher) => void)[] = [];

/** A hashing thread, started when first needed; it does not keep the process alive. */
function startHasher(): Hasher {
  const hasher: Hasher = { worker: new Worker(HASHER, { eval: true }) };
  hasher.worker.unref();
  hasher.worker.on("message", (answer) => hasher.done?.(answer));
  hasher.worker.on("error", (error) => hasher.done?.({ error: String(error) }));
  hasher.worker.on("exit", () => {
    hasher.stopped = true;
    hasher.done?.({ error: "the hashing thread stopped" });
  });
  return hasher;
}

/** Waits for a free hashing thread (or refuses at once when too many wait), then gives it back. */
async function withHasher<T>(work: (hasher: Hasher) => Promise<T>): Promise<T> {
  let hasher: Hasher;
  if (running < MAX_RUNNING) {
    running++;
    hasher = idle.pop() ?? startHasher();
  } else if (waiting.length < MAX_WAITING) hasher = await new Promise<Hasher>((resolve) => waiting.push(resolve));
  else throw passwordHashingBusy();
  try {
    return await work(hasher);
  } finally {
    // The thread passes straight to the next in line, or is given back (a stopped one is replaced).
    const usable = hasher.stopped ? undefined : hasher;
    const next = waiting.shift();
    if (next) next(usable ?? startHasher());
    else {
      if (usable) idle.push(usable);
      running--;
    }
  }
}

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return withHasher(
    (hasher) =>
      new Promise<Buffer>((resolve, reject) => {
        hasher.done = ({ key, error }) => {
          hasher.done = undefined;
          if (key) resolve(Buffer.from(key.buffer, key.byteOffset, key.byteLength));
          else reject(new Error(`scrypt failed: ${error}`));
        };
        hasher.worker.postMessage({ password: password.normalize("NFKC"), salt, keyLength: KEY_LENGTH, options });
      }),
  );
}

function options(log2N: number, r: number, p: number): ScryptOptions {
  const N = 2 ** log2N;
  return { N, r, p, maxmem: 256 * N * r };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, options(LOG2_N, R, P));
  return ["scrypt", LOG2_N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, log2N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await scrypt(password, Buffer.from(salt, "base64url"), options(Number(log2N), Number(r), Number(p)));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
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
