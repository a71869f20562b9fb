// SIGKILL in the middle of a stream of logouts: every logout the server had answered survives the
// crash, every session nobody logged out still works, and the database file is intact.

import { afterAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { logoutPath, whoamiStatus } from "../support/client";
import { signedInSessions, type SignedIn } from "../support/sessions";

const SESSIONS = 600;
const CONCURRENCY = 16;
const started: ServerApp[] = [];
afterAll(async () => {
  for (const app of started.reverse()) await app.stop();
});

type Outcome = "browser" | "native" | "unanswered" | "untouched";

async function logOut(app: ServerApp, session: SignedIn, index: number): Promise<Outcome> {
  try {
    const response =
      index % 2 === 0
        ? await app.fetch(`${await logoutPath(app, session.cookie)}`, {
            headers: { cookie: session.cookie },
            redirect: "manual",
          })
        : await app.fetch(`/self-service/logout/api`, {
            method: "DELETE",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ session_token: session.token }),
          });
    await response.arrayBuffer();
    if (response.status === 303 || response.status === 204) return index % 2 === 0 ? "browser" : "native";
    throw new Error(`unexpected status ${response.status}`);
  } catch (error) {
    // A connection cut by the kill: the logout may or may not have been committed.
    if (error instanceof Error && error.message.startsWith("unexpected status")) throw error;
    return "unanswered";
  }
}

describe("a server killed with SIGKILL during a stream of logouts", () => {
  it("keeps every answered logout, every other session, and an intact database", { timeout: 60_000 }, async () => {
    const first = await startServerApp();
    started.push(first);
    const sessions = await signedInSessions(SESSIONS);
    // Half of the sessions are logged out (browser and native alternating), the other half never.
    const toLogOut = sessions.slice(0, SESSIONS / 2);
    const outcomes: Outcome[] = sessions.map(() => "untouched");

    let next = 0;
    let answered = 0;
    const worker = async () => {
      while (next < toLogOut.length) {
        const index = next++;
        outcomes[index] = await logOut(first, toLogOut[index]!, index);
        if (outcomes[index] !== "unanswered") answered++;
        // Mid-stream: enough logouts answered to matter, enough left to be cut off.
        if (answered === 100) void first.kill("SIGKILL");
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const answeredOutcomes = outcomes.filter((o) => o === "browser" || o === "native");
    expect(answeredOutcomes.length).toBeGreaterThanOrEqual(100);
    expect(outcomes.filter((o) => o === "unanswered").length).toBeGreaterThan(0);

    const second = await startServerApp({}, { database: first.database });
    started.push(second);
    // SQLite's file is the app's own to keep intact; a PostgreSQL server was never killed.
    if (second.database.kind === "sqlite") {
      expect(await second.db.$queryRaw`PRAGMA integrity_check`).toEqual([{ integrity_check: "ok" }]);
    }

    const rows = new Map(
      (await second.db.session.findMany({ select: { id: true, active: true, revokedAt: true } })).map((r) => [r.id, r]),
    );
    for (const [index, session] of sessions.entries()) {
      const outcome = outcomes[index];
      if (outcome === "browser" || outcome === "native") {
        expect(rows.get(session.id)).toMatchObject({ active: false });
        expect(rows.get(session.id)?.revokedAt).toBeInstanceOf(Date);
        expect(await whoamiStatus(second, { "X-Session-Token": session.token })).toBe(401);
      } else if (outcome === "untouched") {
        expect(rows.get(session.id)).toMatchObject({ active: true, revokedAt: null });
        expect(await whoamiStatus(second, { cookie: session.cookie })).toBe(200);
      }
      // "unanswered" logouts may have landed or not; either is correct, as long as the row is there.
      else expect(rows.has(session.id)).toBe(true);
    }
  });
});
