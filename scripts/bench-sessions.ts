// Sessions for `npm run bench`, made by the app's own domain code (createSession, the session
// cookie seal, createLogoutUrl) so the benchmark measures logout, not password hashing. Run with
// the server's environment (DATABASE_URL, COOKIE_SECRET, PUBLIC_BASE_URL):
//   tsx scripts/bench-sessions.ts fresh <count> <out.json>  signed-in browsers: cookie + logout URL
//   tsx scripts/bench-sessions.ts stored <count>           background rows, inserted in bulk

import { writeFileSync } from "node:fs";
import { sessionCookie } from "../lib/http/session-cookie";
import { db } from "../lib/server/database/client";
import { createLogoutUrl } from "../lib/server/logout/logout";
import { createSession, newSession } from "../lib/server/sessions/sessions";

const BENCH_EMAIL = "bench@example.com";

async function benchIdentity() {
  // Inserted directly: the password hash is never checked, so no KDF runs here.
  return db().identity.upsert({
    where: { email: BENCH_EMAIL },
    create: { id: crypto.randomUUID(), email: BENCH_EMAIL, passwordHash: "not-a-password-hash" },
    update: {},
  });
}

export type BenchSession = { id: string; token: string; cookie: string; logoutPath: string };

async function fresh(count: number, out: string): Promise<void> {
  const identity = await benchIdentity();
  const device = { ipAddress: "127.0.0.1", userAgent: "bench" };
  const one = async (): Promise<BenchSession> => {
    const { session, token } = await createSession(identity, device);
    const setCookie = await sessionCookie(token, session.expiresAt);
    const url = new URL(createLogoutUrl(session.id).logout_url);
    return { id: session.id, token, cookie: setCookie.split(";", 1)[0] ?? "", logoutPath: url.pathname + url.search };
  };
  // A few at a time, so sealing (CPU) overlaps the inserts' fsyncs.
  const sessions: BenchSession[] = [];
  while (sessions.length < count) {
    const batch = Math.min(16, count - sessions.length);
    sessions.push(...(await Promise.all(Array.from({ length: batch }, one))));
  }
  writeFileSync(out, JSON.stringify(sessions));
}

/** Background rows as sign-in writes them; a third revoked, a third expired, a third active. */
async function stored(count: number): Promise<void> {
  const identity = await benchIdentity();
  const device = { ipAddress: "127.0.0.1", userAgent: "bench" };
  const BATCH = 2_000; // 12 columns per row stays under SQLite's 32,766 bound parameters.
  const now = Date.now();
  for (let done = 0; done < count; done += BATCH) {
    const data = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => {
      const { row } = newSession(identity.id, device, new Date(now - 3_600_000));
      const kind = (done + i) % 3;
      if (kind === 0) return { ...row, active: false, revokedAt: new Date(now - 60_000) };
      if (kind === 1) return { ...row, expiresAt: new Date(now - 60_000) };
      return row;
    });
    await db().session.createMany({ data });
  }
}

const [mode, countArg, out] = process.argv.slice(2);
const count = Number(countArg);
try {
  if (mode === "fresh" && out) await fresh(count, out);
  else if (mode === "stored") await stored(count);
  else throw new Error("usage: bench-sessions.ts fresh <count> <out.json> | stored <count>");
} finally {
  await db().$disconnect();
}
