// Sessions for `npm run bench`, made by the app's own domain code (newSession/createSession, the
// session cookie seal, createLogoutUrl, native logout) so the benchmark measures the paths it names,
// not password hashing. Run with the server's environment (DATABASE_URL, COOKIE_SECRET,
// PUBLIC_BASE_URL), it serves the benchmark for as long as its stdin is open: each line read is a
// request, each line written the answer, so the benchmark starts it once per database.
//
//   request: { stored?: N, fresh?: N, signedIn?: true, revoked?: true }
//     stored    N background rows as sign-in writes them (a third revoked, a third expired, a third
//               active), for the table-size check; nothing about them is written out
//     fresh     N signed-in browsers, each to be logged out once: its session id, its cookie and its
//               logout URL's path
//     signedIn  one signed-in client: its cookie and its session token
//     revoked   the session token of a session ended by native logout
//   answer:  { signedIn?, revoked?, fresh: [...], sessionRows } (the table's size afterwards)
//            or { error }

import { createInterface } from "node:readline";
import { sessionCookie } from "../lib/http/session-cookie";
import { db } from "../lib/server/database/client";
import { createLogoutUrl, performNativeLogout } from "../lib/server/logout/logout";
import { createSession, newSession, type Device } from "../lib/server/sessions/sessions";

const BENCH_EMAIL = "bench@example.com";
const DEVICE: Device = { ipAddress: "127.0.0.1", userAgent: "bench" };
// 12 columns per row stays under SQLite's 32,766 bound parameters.
const INSERT_BATCH = 2000;

export type BenchSessions = {
  signedIn?: { cookie: string; token: string };
  revoked?: { token: string };
  fresh: { id: string; cookie: string; logoutPath: string }[];
  sessionRows: number;
};

async function benchIdentity() {
  // Inserted directly: the password hash is never checked, so no KDF runs here.
  return db().identity.upsert({
    where: { email: BENCH_EMAIL },
    create: { id: crypto.randomUUID(), email: BENCH_EMAIL, passwordHash: "not-a-password-hash" },
    update: {},
  });
}

/** The `name=value` part of a Set-Cookie header: what a browser sends back. */
async function cookieFor(token: string, expiresAt: Date): Promise<string> {
  return (await sessionCookie(token, expiresAt)).split(";", 1)[0] ?? "";
}

/** Signed-in browsers, inserted in bulk; sealing (Web Crypto on the thread pool) runs many at a time. */
async function fresh(identityId: string, count: number): Promise<BenchSessions["fresh"]> {
  const sessions: BenchSessions["fresh"] = [];
  for (let done = 0; done < count; done += INSERT_BATCH) {
    const made = Array.from({ length: Math.min(INSERT_BATCH, count - done) }, () => newSession(identityId, DEVICE));
    await db().session.createMany({ data: made.map(({ row }) => row) });
    sessions.push(
      ...(await Promise.all(
        made.map(async ({ row, token }) => {
          const url = new URL(createLogoutUrl(row.id).logout_url);
          return { id: row.id, cookie: await cookieFor(token, row.expiresAt), logoutPath: url.pathname + url.search };
        }),
      )),
    );
  }
  return sessions;
}

/** Background rows as sign-in writes them; a third revoked, a third expired, a third active. */
async function stored(identityId: string, count: number): Promise<void> {
  const now = Date.now();
  for (let done = 0; done < count; done += INSERT_BATCH) {
    const data = Array.from({ length: Math.min(INSERT_BATCH, count - done) }, (_, i) => {
      const { row } = newSession(identityId, DEVICE, new Date(now - 3_600_000));
      const kind = (done + i) % 3;
      if (kind === 0) return { ...row, active: false, revokedAt: new Date(now - 60_000) };
      if (kind === 1) return { ...row, expiresAt: new Date(now - 60_000) };
      return row;
    });
    await db().session.createMany({ data });
  }
}

type Request = { stored?: number; fresh?: number; signedIn?: boolean; revoked?: boolean };

async function answer(request: Request): Promise<BenchSessions> {
  const identity = await benchIdentity();
  await stored(identity.id, request.stored ?? 0);
  const result: BenchSessions = { fresh: await fresh(identity.id, request.fresh ?? 0), sessionRows: 0 };
  if (request.signedIn) {
    const { session, token } = await createSession(identity, DEVICE);
    result.signedIn = { cookie: await cookieFor(token, session.expiresAt), token };
  }
  if (request.revoked) {
    const { token } = await createSession(identity, DEVICE);
    await performNativeLogout(token);
    result.revoked = { token };
  }
  result.sessionRows = await db().session.count();
  return result;
}

try {
  for await (const line of createInterface({ input: process.stdin })) {
    const reply = await answer(JSON.parse(line) as Request).catch((error: unknown) => ({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }));
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
} finally {
  await db().$disconnect();
}
