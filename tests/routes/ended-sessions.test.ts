// GET /sessions?active=false (issue 12): the user's recently ended sessions and how each ended, an
// addition to Kratos's frontend session list (which has no such filter). Without the filter, or with
// active=true, GET /sessions is unchanged (tests/routes/my-sessions.test.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { NO_CACHE } from "../support/client";
import { browserLogout, nativeLogout, revokeDevice, revokeOthers } from "../support/revocations";
import { signedIn, testIdentity } from "../support/sessions";
import type { EndedSessionJson } from "@/lib/server/sessions/session-json";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ SESSION_LIFESPAN: "1h" });
});
afterAll(() => app.stop());

const CHROMIUM = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/140.0 Chrome/140.0";
const DAY_MS = 24 * 60 * 60 * 1000;

const ended = (token: string, query = "?active=false") =>
  app.fetch(`/sessions${query}`, { headers: { "X-Session-Token": token } });

async function endedList(token: string, query?: string): Promise<EndedSessionJson[]> {
  const response = await ended(token, query);
  await expect(response).toHaveStatus(200);
  expect(response.headers.get("cache-control")).toBe(NO_CACHE);
  return (await response.json()) as EndedSessionJson[];
}

describe("GET /sessions?active=false", () => {
  it("without a session → 401 session_inactive", async () => {
    const response = await app.fetch("/sessions?active=false");
    await expect(response).toHaveStatus(401);
    expect(await response.json()).toMatchObject({ error: { id: "session_inactive" } });
  });

  it("→ 200: every way a session ends, most recently ended first, with how, when and by which device", async () => {
    const identity = await testIdentity();
    const me = await signedIn(identity, { ipAddress: "127.0.0.1", userAgent: CHROMIUM });
    const [loggedOut, native, revoked, other1, other2, expired] = [
      await signedIn(identity),
      await signedIn(identity),
      await signedIn(identity),
      await signedIn(identity),
      await signedIn(identity),
      await signedIn(identity),
    ];
    await app.db.session.update({ where: { id: expired!.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    await expect(await browserLogout(app, loggedOut!)).toHaveStatus(204);
    await expect(await nativeLogout(app, native!.token)).toHaveStatus(204);
    await expect(await revokeDevice(app, me, revoked!.id)).toHaveStatus(204);
    await expect(await revokeOthers(app, me)).toHaveStatus(200);
    // Someone else's ended session is never listed.
    await expect(await nativeLogout(app, (await signedIn()).token)).toHaveStatus(204);

    const list = await endedList(me.token);
    const rows = await app.db.session.findMany({ where: { identityId: identity.id } });
    const revokedAt = (id: string) => rows.find((row) => row.id === id)!.revokedAt!.toISOString();
    // DELETE /sessions ended the two others at one instant; the id breaks the tie.
    const [otherA, otherB] = [other1!.id, other2!.id].sort().reverse();
    expect(list.map((session) => [session.id, session.active, session.ended])).toEqual([
      [otherA, false, { at: revokedAt(otherA!), reason: "revoked_other_sessions", by: { user_agent: CHROMIUM } }],
      [otherB, false, { at: revokedAt(otherB!), reason: "revoked_other_sessions", by: { user_agent: CHROMIUM } }],
      [revoked!.id, false, { at: revokedAt(revoked!.id), reason: "revoked_by_user", by: { user_agent: CHROMIUM } }],
      [native!.id, false, { at: revokedAt(native!.id), reason: "native_logout", by: { user_agent: "tests" } }],
      [loggedOut!.id, false, { at: revokedAt(loggedOut!.id), reason: "logout", by: { user_agent: "tests" } }],
      [
        expired!.id,
        false,
        { at: rows.find((row) => row.id === expired!.id)!.expiresAt.toISOString(), reason: "expired", by: null },
      ],
    ]);
    // Kratos's Session JSON otherwise, never a token.
    expect(list[0]).toMatchObject({ identity: { id: identity.id }, devices: [{ user_agent: "tests" }] });
    expect(JSON.stringify(list)).not.toContain("ory_st_");
  });

  it("a session ended by no session's request (an operator) → by null", async () => {
    const { revokeSessions } = await import("@/lib/server/sessions/revocation");
    const identity = await testIdentity();
    const me = await signedIn(identity);
    const gone = await signedIn(identity);
    await revokeSessions({ sessionId: gone.id }, { reason: "revoked_by_user", initiatedBySessionId: null });
    expect((await endedList(me.token)).map((session) => session.ended.by)).toEqual([null]);
  });

  it("at most 20, of the last 30 days; page_size lowers the limit; the Link header names the filter", async () => {
    const identity = await testIdentity();
    const me = await signedIn(identity);
    const sessions = [];
    for (let i = 0; i < 23; i++) sessions.push(await signedIn(identity));
    const now = Date.now();
    // Ended one minute apart, the first 31 days ago.
    for (const [i, session] of sessions.entries()) {
      const at = new Date(i === 0 ? now - 31 * DAY_MS : now - i * 60_000);
      await app.db.session.update({
        where: { id: session.id },
        data: { active: false, revokedAt: at, revocationReason: "logout", revokedBySessionId: session.id },
      });
    }
    const list = await endedList(me.token);
    expect(list.map((session) => session.id)).toEqual(sessions.slice(1, 21).map((session) => session.id));

    const response = await ended(me.token, "?active=false&page_size=3");
    await expect(response).toHaveStatus(200);
    expect(((await response.json()) as EndedSessionJson[]).map((s) => s.id)).toEqual(
      sessions.slice(1, 4).map((s) => s.id),
    );
    expect(response.headers.get("link")).toBe(`<${app.url}/sessions?active=false&page_size=3>; rel="first"`);
  });

  it("active=true → the usual list of other active sessions", async () => {
    const identity = await testIdentity();
    const me = await signedIn(identity);
    const other = await signedIn(identity);
    await expect(await nativeLogout(app, (await signedIn(identity)).token)).toHaveStatus(204);
    const list = await endedList(me.token, "?active=true");
    expect(list.map((session) => [session.id, session.active, "ended" in session])).toEqual([[other.id, true, false]]);
  });

  it.each(["yes", "maybe", "2"])("active=%s → 400, nothing listed", async (value) => {
    const response = await ended((await signedIn()).token, `?active=${value}`);
    await expect(response).toHaveStatus(400);
    expect(await response.json()).toMatchObject({
      error: { code: 400, reason: `The active parameter must be true or false, got "${value}".` },
    });
  });
});
