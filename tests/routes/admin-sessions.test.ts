// The admin session API through the official SDK's IdentityApi (Kratos's listSessions, getSession,
// disableSession, extendSession, listIdentitySessions, deleteIdentitySessions): shapes, filters,
// pagination, status codes, and the session.revoked events an operator's revocation writes.

import type { IdentityApi, Session } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { adminFetch, ADMIN_TOKEN } from "../support/admin";
import { NO_CACHE, SESSION_KEYS, whoamiStatus } from "../support/client";
import { nativeLogout } from "../support/revocations";
import { identityApi, statusOf } from "../support/sdk";
import { signedIn, signedInSessions, testIdentity, type SignedIn } from "../support/sessions";
import { newWebhookSecret } from "../support/webhook-receiver";

// Nothing listens there: in-process no delivery worker runs, so the outbox rows stay as written.
const RECEIVER = "http://127.0.0.1:9/events";
const LIFESPAN_MS = 60 * 60_000;

let app: App;
let api: IdentityApi;
beforeAll(async () => {
  app = await startInProcessApp({
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    SESSION_LIFESPAN: "1h",
    WEBHOOK_URLS: RECEIVER,
    WEBHOOK_SECRET: newWebhookSecret(),
  });
  api = identityApi(app, { accessToken: ADMIN_TOKEN });
});
afterAll(() => app.stop());

const whoami = (session: SignedIn) => whoamiStatus(app, { "X-Session-Token": session.token });

/** Links of a Link header by rel: `<url>; rel="next"` → { next: url }. */
function links(response: Response): Record<string, URL> {
  const header = response.headers.get("link") ?? "";
  return Object.fromEntries(
    [...header.matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)].map(([, url, rel]) => [rel, new URL(url!)]),
  );
}

/** The session.revoked events written about one session (the outbox has one row per event here). */
async function eventsAbout(sessionId: string) {
  const rows = await app.db.webhookDelivery.findMany();
  return rows
    .map((row) => JSON.parse(row.payload) as { type: string; data: Record<string, unknown> })
    .filter((event) => event.data.session_id === sessionId);
}

/** Ended by an operator: the row says so, and exactly one event with reason revoked_by_admin. */
async function expectRevokedByAdmin(session: SignedIn) {
  const row = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
  expect(row).toMatchObject({ active: false, revocationReason: "revoked_by_admin", revokedBySessionId: null });
  expect(await eventsAbout(session.id)).toEqual([
    {
      type: "session.revoked",
      timestamp: row.revokedAt!.toISOString(),
      data: {
        session_id: session.id,
        identity_id: session.identityId,
        reason: "revoked_by_admin",
        revoked_at: row.revokedAt!.toISOString(),
        initiated_by_session_id: null,
      },
    },
  ]);
}

/** Moves a session's sign-in time, so the newest-first order is known. */
async function signedInAt(session: SignedIn, at: Date) {
  await app.db.session.update({ where: { id: session.id }, data: { authenticatedAt: at, issuedAt: at } });
}

async function expire(session: SignedIn) {
  await app.db.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
}

async function expectError(response: Response, code: number) {
  await expect(response).toHaveStatus(code);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe(NO_CACHE);
  const body = (await response.json()) as { error: { code: number; reason?: string; message: string } };
  expect(body.error.code).toBe(code);
  return body.error;
}

describe("GET /admin/sessions (listSessions)", () => {
  it("→ 200, every identity's sessions, newest first, without identity or devices unless expanded", async () => {
    const [mine, stranger] = [await signedIn(), await signedIn()];
    const response = await adminFetch(app, "/admin/sessions");
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const listed = (await response.json()) as Record<string, unknown>[];
    const ids = listed.map((session) => session.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, stranger.id]));
    expect(ids.indexOf(stranger.id)).toBeLessThan(ids.indexOf(mine.id));
    const row = listed.find((session) => session.id === mine.id)!;
    expect(Object.keys(row).sort()).toEqual(SESSION_KEYS);
    expect(row).toMatchObject({ active: true, identity: null, devices: null });
    expect(JSON.stringify(listed)).not.toMatch(/ory_st_|password_hash|token_hash|logout_token|no-password/);
    expect(links(response)).toEqual({ first: new URL(`${app.url}/admin/sessions?page_size=250`) });
  });

  it.each([
    [["identity"], true, false],
    [["devices"], false, true],
    [["identity", "devices"], true, true],
  ] as const)("expand=%j → identity %s, devices %s", async (expand, identity, devices) => {
    const session = await signedIn();
    const listed = await api.listSessions({ expand: [...expand] });
    const found = listed.find((s) => s.id === session.id)!;
    expect(found.identity?.id).toBe(identity ? session.identityId : undefined);
    expect(found.devices?.length).toBe(devices ? 1 : undefined);
    if (devices) expect(found.devices![0]).toMatchObject({ ip_address: "127.0.0.1", user_agent: "tests" });
    if (identity) {
      expect(found.identity).toMatchObject({ state: "active", traits: { email: expect.any(String) } });
      expect(found.identity!.credentials?.password?.identifiers).toEqual([found.identity!.traits.email]);
    }
  });

  it("expand is case-insensitive, as in Kratos: expand=Identity → identity", async () => {
    const session = await signedIn();
    const response = await adminFetch(app, "/admin/sessions?expand=Identity");
    await expect(response).toHaveStatus(200);
    const found = ((await response.json()) as Session[]).find((s) => s.id === session.id)!;
    expect(found.identity?.id).toBe(session.identityId);
  });

  it("active=true lists sessions that still count; active=false those that ended (revoked or expired)", async () => {
    const [counting, revoked, expired] = await signedInSessions(3);
    await expect(await nativeLogout(app, revoked!.token)).toHaveStatus(204);
    await expire(expired!);

    const active = (await api.listSessions({ active: true })).map((s) => s.id);
    const ended = (await api.listSessions({ active: false })).map((s) => s.id);
    const all = (await api.listSessions()).map((s) => s.id);
    expect(active).toContain(counting!.id);
    expect(active).not.toContain(revoked!.id);
    expect(active).not.toContain(expired!.id);
    expect(ended).toEqual(expect.arrayContaining([revoked!.id, expired!.id]));
    expect(ended).not.toContain(counting!.id);
    expect(all).toEqual(expect.arrayContaining([counting!.id, revoked!.id, expired!.id]));
    for (const session of await api.listSessions({ active: false })) expect(session.active).toBe(false);
    for (const session of await api.listSessions({ active: true })) expect(session.active).toBe(true);
  });

  it("page_size=2 → every session exactly once following Link next, which keeps the filters", async () => {
    const sessions = await signedInSessions(5);
    const base = Date.now() + 10_000;
    // Two at the same millisecond: the tie is broken by id and never repeats or skips one.
    const times = [base + 3, base + 2, base + 2, base + 1, base];
    for (const [i, session] of sessions.entries()) await signedInAt(session, new Date(times[i]!));

    const seen: string[] = [];
    let next: URL | undefined = new URL(`${app.url}/admin/sessions?active=true&expand=identity&page_size=2`);
    let pages = 0;
    while (next) {
      const response: Response = await adminFetch(app, next.pathname + next.search);
      await expect(response).toHaveStatus(200);
      const page = (await response.json()) as Session[];
      expect(page.length).toBeLessThanOrEqual(2);
      for (const session of page) expect(session.identity?.id).toBeDefined();
      seen.push(...page.map((s) => s.id));
      const rels = links(response);
      expect(rels.first?.searchParams.get("page_size")).toBe("2");
      expect(rels.first?.searchParams.get("active")).toBe("true");
      expect(rels.first?.searchParams.get("expand")).toBe("identity");
      expect(rels.first?.searchParams.has("page_token")).toBe(false);
      next = rels.next;
      pages++;
    }
    const counting = await app.db.session.count({ where: { active: true, expiresAt: { gt: new Date() } } });
    expect(seen.length).toBe(counting);
    expect(new Set(seen).size).toBe(seen.length);
    // The page after the last full one is never asked for: a page says whether another follows.
    expect(pages).toBe(Math.ceil(counting / 2));
    // The five signed in "in the future" come first, newest first, ties by id (descending).
    const tie = [sessions[1]!.id, sessions[2]!.id].sort().reverse();
    expect(seen.slice(0, 5)).toEqual([sessions[0]!.id, ...tie, sessions[3]!.id, sessions[4]!.id]);
  });

  it("the SDK pages with pageSize and pageToken", async () => {
    const first = await api.listSessionsRaw({ pageSize: 1 });
    const pageToken = links(first.raw).next?.searchParams.get("page_token");
    expect(pageToken).toBeTruthy();
    const second = await api.listSessions({ pageSize: 1, pageToken: pageToken! });
    const [one] = await first.value();
    expect(second).toHaveLength(1);
    expect(second[0]!.id).not.toBe(one!.id);
  });

  it.each([
    ["active=maybe", "The active parameter must be true or false"],
    ["expand=everything", "Could not parse expand option: everything"],
    ["page_size=0", "The page_size must be a whole number from 1 to 1000."],
    ["page_token=garbage!", "The page_token is not valid"],
  ])("%s → 400", async (query, reason) => {
    const error = await expectError(await adminFetch(app, `/admin/sessions?${query}`), 400);
    expect(error.reason).toContain(reason);
  });
});

describe("GET /admin/sessions/{id} (getSession)", () => {
  it("→ 200 the session; identity and devices when expanded", async () => {
    const session = await signedIn();
    const plain = await adminFetch(app, `/admin/sessions/${session.id}`);
    await expect(plain).toHaveStatus(200);
    expect(await plain.json()).toMatchObject({ id: session.id, active: true, identity: null, devices: null });

    const expanded = await api.getSession({ id: session.id, expand: ["identity", "devices"] });
    expect(expanded.id).toBe(session.id);
    expect(expanded.identity?.id).toBe(session.identityId);
    expect(expanded.devices).toHaveLength(1);
  });

  it("an ended session → 200 with active false", async () => {
    const session = await signedIn();
    await expect(await nativeLogout(app, session.token)).toHaveStatus(204);
    expect((await api.getSession({ id: session.id })).active).toBe(false);
  });

  it("an id in upper case → the same session", async () => {
    const session = await signedIn();
    expect((await api.getSession({ id: session.id.toUpperCase() })).id).toBe(session.id);
  });

  it("unknown id → 404; malformed id → 400; unknown expand → 400", async () => {
    await expectError(await adminFetch(app, `/admin/sessions/${crypto.randomUUID()}`), 404);
    await expectError(await adminFetch(app, "/admin/sessions/not-a-uuid"), 400);
    await expectError(await adminFetch(app, "/admin/sessions/whoami"), 400);
    const session = await signedIn();
    await expectError(await adminFetch(app, `/admin/sessions/${session.id}?expand=token`), 400);
  });
});

describe("DELETE /admin/sessions/{id} (disableSession)", () => {
  it("→ 204; that device is refused from then on; one event, reason revoked_by_admin, initiated by no session", async () => {
    const [phone, laptop] = await signedInSessions(2);
    const response = await adminFetch(app, `/admin/sessions/${phone!.id}`, { method: "DELETE" });
    await expect(response).toHaveStatus(204);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toBe("");
    expect(await whoami(phone!)).toBe(401);
    expect(await whoamiStatus(app, { cookie: phone!.cookie })).toBe(401);
    expect(await whoami(laptop!)).toBe(200);
    await expectRevokedByAdmin(phone!);
  });

  it("already ended → 204 again, no second event, the record unchanged", async () => {
    const session = await signedIn();
    await api.disableSession({ id: session.id });
    const before = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    await api.disableSession({ id: session.id });
    expect(await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).toEqual(before);
    await expectRevokedByAdmin(session);

    // Ended by the user's own logout first: 204, and the record still says logout.
    const other = await signedIn();
    await expect(await nativeLogout(app, other.token)).toHaveStatus(204);
    await api.disableSession({ id: other.id });
    expect(await app.db.session.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({
      revocationReason: "native_logout",
    });
  });

  it("unknown id → 404; malformed id → 400; nothing changed", async () => {
    const before = await app.database.fingerprint();
    expect(await statusOf(api.disableSession({ id: crypto.randomUUID() }))).toBe(404);
    expect(await statusOf(api.disableSession({ id: "not-a-uuid" }))).toBe(400);
    expect(await app.database.fingerprint()).toBe(before);
  });
});

describe("PATCH /admin/sessions/{id}/extend (extendSession)", () => {
  it("→ 200 the session, now expiring one lifespan (SESSION_LIFESPAN) from now", async () => {
    const session = await signedIn();
    const soon = new Date(Date.now() + 60_000);
    await app.db.session.update({ where: { id: session.id }, data: { expiresAt: soon } });

    const before = Date.now();
    const extended = (await api.extendSession({ id: session.id }))!;
    const after = Date.now();
    expect(extended.id).toBe(session.id);
    expect(extended.active).toBe(true);
    expect(extended.identity?.id).toBe(session.identityId);
    const expiresAt = extended.expires_at!.getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + LIFESPAN_MS);
    expect(expiresAt).toBeLessThanOrEqual(after + LIFESPAN_MS);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).expiresAt.getTime()).toBe(expiresAt);
    expect(await whoami(session)).toBe(200);
  });

  it.each([
    ["revoked", (session: SignedIn) => nativeLogout(app, session.token)],
    ["expired", expire],
  ])("a %s session → 404, still ended, expiry unchanged", async (_how, end) => {
    const session = await signedIn();
    await end(session);
    const before = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    const error = await expectError(
      await adminFetch(app, `/admin/sessions/${session.id}/extend`, { method: "PATCH" }),
      404,
    );
    expect(error.reason).toBe(
      "The session has ended (it was revoked or it expired, or its identity is inactive) and cannot be extended.",
    );
    expect(await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).toEqual(before);
    expect(await whoami(session)).toBe(401);
  });

  it("unknown id → 404; malformed id → 400", async () => {
    expect(await statusOf(api.extendSession({ id: crypto.randomUUID() }))).toBe(404);
    expect(await statusOf(api.extendSession({ id: "nope" }))).toBe(400);
  });
});

describe("GET /admin/identities/{id}/sessions (listIdentitySessions)", () => {
  it("→ 200 that identity's sessions only, newest first, with identity and devices; active filter", async () => {
    const identity = await testIdentity();
    const [oldest, middle, newest] = await signedInSessions(3, identity);
    const stranger = await signedIn();
    const base = Date.now() - 60_000;
    await signedInAt(oldest!, new Date(base));
    await signedInAt(middle!, new Date(base + 1));
    await signedInAt(newest!, new Date(base + 2));
    await expect(await nativeLogout(app, middle!.token)).toHaveStatus(204);

    const response = await adminFetch(app, `/admin/identities/${identity.id}/sessions`);
    await expect(response).toHaveStatus(200);
    const all = (await response.json()) as Session[];
    expect(all.map((s) => s.id)).toEqual([newest!.id, middle!.id, oldest!.id]);
    expect(all.map((s) => s.active)).toEqual([true, false, true]);
    for (const session of all) {
      expect(session.identity?.id).toBe(identity.id);
      expect(session.devices).toHaveLength(1);
    }
    expect(JSON.stringify(all)).not.toContain(stranger.id);
    expect(links(response)).toEqual({
      first: new URL(`${app.url}/admin/identities/${identity.id}/sessions?page_size=250`),
    });

    expect((await api.listIdentitySessions({ id: identity.id, active: true })).map((s) => s.id)).toEqual([
      newest!.id,
      oldest!.id,
    ]);
    expect((await api.listIdentitySessions({ id: identity.id, active: false })).map((s) => s.id)).toEqual([middle!.id]);
  });

  it("pages with page_size and page_token (SDK pageSize, pageToken)", async () => {
    const identity = await testIdentity();
    const sessions = await signedInSessions(5, identity);
    const base = Date.now() - 60_000;
    for (const [i, session] of sessions.entries()) await signedInAt(session, new Date(base - i));
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await api.listIdentitySessionsRaw({ id: identity.id, pageSize: 2, pageToken });
      seen.push(...(await page.value()).map((s) => s.id));
      pageToken = links(page.raw).next?.searchParams.get("page_token") ?? undefined;
    } while (pageToken);
    expect(seen).toEqual(sessions.map((s) => s.id));
  });

  it("an identity without sessions → 200 []; unknown identity → 404; malformed id → 400", async () => {
    const identity = await testIdentity();
    expect(await api.listIdentitySessions({ id: identity.id })).toEqual([]);
    await expectError(await adminFetch(app, `/admin/identities/${crypto.randomUUID()}/sessions`), 404);
    await expectError(await adminFetch(app, `/admin/identities/not-a-uuid/sessions`), 400);
    await expectError(await adminFetch(app, `/admin/identities/${identity.id}/sessions?active=yes`), 400);
  });
});

describe("DELETE /admin/identities/{id}/sessions (deleteIdentitySessions)", () => {
  it("→ 204; every device of that identity refused at once; one event each; others' sessions untouched", async () => {
    const identity = await testIdentity();
    const devices = await signedInSessions(3, identity);
    const stranger = await signedIn();
    for (const device of devices) expect(await whoami(device)).toBe(200);

    const response = await adminFetch(app, `/admin/identities/${identity.id}/sessions`, { method: "DELETE" });
    await expect(response).toHaveStatus(204);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toBe("");

    for (const device of devices) {
      expect(await whoami(device)).toBe(401);
      expect(await whoamiStatus(app, { cookie: device.cookie })).toBe(401);
      expect(await whoamiStatus(app, { authorization: `Bearer ${device.token}` })).toBe(401);
      await expectRevokedByAdmin(device);
    }
    expect(await whoami(stranger)).toBe(200);
    expect(await eventsAbout(stranger.id)).toEqual([]);
    // The identity itself stays active: it may sign in again.
    expect(await app.db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({ state: "active" });
  });

  it("sessions that had ended keep their record and get no new event", async () => {
    const identity = await testIdentity();
    const [loggedOut, expired, counting] = await signedInSessions(3, identity);
    await expect(await nativeLogout(app, loggedOut!.token)).toHaveStatus(204);
    await expire(expired!);

    await api.deleteIdentitySessions({ id: identity.id });
    expect(await app.db.session.findUniqueOrThrow({ where: { id: loggedOut!.id } })).toMatchObject({
      revocationReason: "native_logout",
    });
    expect(await eventsAbout(loggedOut!.id)).toHaveLength(1);
    expect(await app.db.session.findUniqueOrThrow({ where: { id: expired!.id } })).toMatchObject({
      active: true,
      revocationReason: null,
    });
    expect(await eventsAbout(expired!.id)).toEqual([]);
    await expectRevokedByAdmin(counting!);
  });

  it("again, or for an identity without sessions → 204, no event, the records unchanged", async () => {
    const identity = await testIdentity();
    const lonely = await testIdentity();
    await signedInSessions(2, identity);
    await api.deleteIdentitySessions({ id: identity.id });
    const sessions = await app.db.session.findMany({ where: { identityId: identity.id }, orderBy: { id: "asc" } });
    const events = await app.db.webhookDelivery.count();
    await api.deleteIdentitySessions({ id: identity.id });
    await api.deleteIdentitySessions({ id: lonely.id });
    expect(await app.db.session.findMany({ where: { identityId: identity.id }, orderBy: { id: "asc" } })).toEqual(
      sessions,
    );
    expect(await app.db.webhookDelivery.count()).toBe(events);
  });

  it("unknown identity → 404; malformed id → 400; nothing changed", async () => {
    const before = await app.database.fingerprint();
    expect(await statusOf(api.deleteIdentitySessions({ id: crypto.randomUUID() }))).toBe(404);
    expect(await statusOf(api.deleteIdentitySessions({ id: "x" }))).toBe(400);
    expect(await app.database.fingerprint()).toBe(before);
  });
});
