// SPEC section 4, last item: the signed-in user's sessions (Kratos's listMySessions,
// disableMyOtherSessions, disableMySession), the devices page at /sessions, and the official SDK.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import type { SessionJson } from "@/lib/server/kratos-json";
import { frontendApi, statusOf } from "../support/sdk";
import { Client, NO_CACHE, register, SESSION_KEYS, signInNative, uniqueEmail } from "../support/client";
import { signedIn, testIdentity } from "../support/sessions";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ SESSION_LIFESPAN: "1h" });
});
afterAll(() => app.stop());

const PASSWORD = "correct horse battery staple";

type SessionBody = SessionJson;

/** A user signed in on `devices` devices; the first is "this device". */
async function userWithDevices(devices: number) {
  const identity = await testIdentity();
  const sessions = [];
  for (let i = 0; i < devices; i++) sessions.push(await signedIn(identity));
  return { identityId: identity.id, tokens: sessions.map((s) => s.token), ids: sessions.map((s) => s.id) };
}

const as = (token: string, headers: Record<string, string> = {}) => ({ "X-Session-Token": token, ...headers });

const sessions = (token: string, query = "") => app.fetch(`/sessions${query}`, { headers: as(token) });

const revoke = (token: string, id: string) => app.fetch(`/sessions/${id}`, { method: "DELETE", headers: as(token) });

const revokeOthers = (token: string) => app.fetch(`/sessions`, { method: "DELETE", headers: as(token) });

const whoami = (token: string) => app.fetch(`/sessions/whoami`, { headers: as(token) });

async function expectError(response: Response, code: number, id?: string) {
  await expect(response).toHaveStatus(code);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe(NO_CACHE);
  const body = (await response.json()) as { error: { id?: string; code: number; reason?: string; message: string } };
  expect(body.error.code).toBe(code);
  if (id) expect(body.error.id).toBe(id);
  return body.error;
}

/** Links of a Link header by rel: `<url>; rel="next"` → { next: url }. */
function links(response: Response): Record<string, URL> {
  const header = response.headers.get("link") ?? "";
  return Object.fromEntries(
    [...header.matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)].map(([, url, rel]) => [rel, new URL(url!)]),
  );
}

describe("GET /sessions", () => {
  it("without a session → 401 session_inactive, not cacheable", async () => {
    const response = await app.fetch(`/sessions`);
    expect(response.headers.get("vary")).toBe("Cookie");
    await expectError(response, 401, "session_inactive");
  });

  it("with a revoked session's token → 401", async () => {
    const { tokens, ids } = await userWithDevices(2);
    await expect(await revoke(tokens[1]!, ids[0]!)).toHaveStatus(204);
    await expectError(await sessions(tokens[0]!), 401, "session_inactive");
  });

  it("→ 200, the user's OTHER active sessions, newest first, as Session JSON without tokens", async () => {
    const { tokens, ids, identityId } = await userWithDevices(4);
    const stranger = await signedIn();
    // One device signed out and one expired: neither is listed.
    await app.db.session.update({ where: { id: ids[1]! }, data: { active: false, revokedAt: new Date() } });
    await app.db.session.update({ where: { id: ids[2]! }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const response = await sessions(tokens[0]!);
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("vary")).toBe("Cookie");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const listed = (await response.json()) as SessionBody[];
    expect(listed.map((s) => s.id)).toEqual([ids[3]]);
    expect(listed[0]!.active).toBe(true);
    expect(listed[0]!.identity!.id).toBe(identityId);
    expect(Object.keys(listed[0]!).sort()).toEqual(SESSION_KEYS);
    const text = JSON.stringify(listed);
    expect(text).not.toMatch(/ory_st_|scrypt|password_hash|token_hash|logout_token/);
    expect(text).not.toContain(stranger.id);
    expect(links(response)).toEqual({ first: new URL(`${app.url}/sessions?page_size=250`) });
  });

  it("a user signed in nowhere else → 200 []", async () => {
    const { tokens } = await userWithDevices(1);
    const response = await sessions(tokens[0]!);
    await expect(response).toHaveStatus(200);
    expect(await response.json()).toEqual([]);
  });

  describe("pagination (page_size, page_token, Link)", () => {
    // Seven other sessions straight in the database, two of them signed in at the same millisecond,
    // so the order (newest first, ties by id) is known and the tie sits across a page boundary.
    async function userWithSevenOthers() {
      const { tokens, ids, identityId } = await userWithDevices(1);
      const base = Date.now() - 60 * 60_000;
      const times = [base + 6, base + 5, base + 4, base + 4, base + 3, base + 2, base + 1];
      const others = times.map((ms, i) => ({ id: crypto.randomUUID(), authenticatedAt: new Date(ms), i }));
      for (const other of others) {
        await app.db.session.create({
          data: {
            id: other.id,
            tokenHash: `test-${other.id}`,
            identityId,
            issuedAt: other.authenticatedAt,
            authenticatedAt: other.authenticatedAt,
            expiresAt: new Date(Date.now() + 60 * 60_000),
            deviceId: crypto.randomUUID(),
            ipAddress: "192.0.2.1",
            userAgent: `device ${other.i}`,
          },
        });
      }
      const expected = others
        .sort((a, b) => b.authenticatedAt.getTime() - a.authenticatedAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((o) => o.id);
      return { token: tokens[0]!, currentId: ids[0]!, expected };
    }

    it("page_size=3 → pages of 3, 3, 1 following the Link header's next; the last page has only first", async () => {
      const { token, expected } = await userWithSevenOthers();
      const seen: string[] = [];
      let next: URL | undefined = new URL(`${app.url}/sessions?page_size=3`);
      const pageSizes: number[] = [];
      while (next) {
        const response: Response = await app.fetch(next, { headers: as(token) });
        await expect(response).toHaveStatus(200);
        const page = (await response.json()) as SessionBody[];
        pageSizes.push(page.length);
        seen.push(...page.map((s) => s.id));
        const rels = links(response);
        expect(rels.first?.href).toBe(`${app.url}/sessions?page_size=3`);
        next = rels.next;
        if (next) expect(next.searchParams.get("page_size")).toBe("3");
      }
      expect(pageSizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(expected);
    });

    it("the SDK pages with pageSize and pageToken", async () => {
      const { token, expected } = await userWithSevenOthers();
      const sdk = frontendApi(app);
      const first = await sdk.listMySessionsRaw({ xSessionToken: token, pageSize: 4 });
      const nextToken = links(first.raw).next?.searchParams.get("page_token");
      expect(nextToken).toBeTruthy();
      const second = await sdk.listMySessions({ xSessionToken: token, pageSize: 4, pageToken: nextToken! });
      expect([...(await first.value()), ...second].map((s) => s.id)).toEqual(expected);
    });

    it.each([["0"], ["-1"], ["abc"], ["2.5"], ["1e3"], ["99999999999"]])("page_size=%s → 400", async (size) => {
      const { token } = await userWithSevenOthers();
      const error = await expectError(await sessions(token, `?page_size=${encodeURIComponent(size)}`), 400);
      expect(error.reason).toBe("The page_size must be a whole number from 1 to 1000.");
    });

    it("page_size above 1000 → clamped to 1000, as Kratos does", async () => {
      const { token, expected } = await userWithSevenOthers();
      const response = await sessions(token, "?page_size=5000");
      await expect(response).toHaveStatus(200);
      expect(((await response.json()) as SessionBody[]).map((s) => s.id)).toEqual(expected);
      expect(links(response).first?.searchParams.get("page_size")).toBe("1000");
    });

    it.each([
      ["garbage!"],
      [Buffer.from("[1,2]").toString("base64url")],
      [Buffer.from('[1,"not-a-uuid"]').toString("base64url")],
    ])("page_token=%s → 400", async (pageToken) => {
      const { token } = await userWithSevenOthers();
      const error = await expectError(await sessions(token, `?page_token=${encodeURIComponent(pageToken)}`), 400);
      expect(error.reason).toMatch(/page_token is not valid/);
    });
  });
});

describe("DELETE /sessions", () => {
  it("without a session → 401", async () => {
    await expectError(await app.fetch(`/sessions`, { method: "DELETE" }), 401, "session_inactive");
  });

  it("→ 200 {count}: every other active session revoked (soft), this one and other users' untouched", async () => {
    const { tokens, ids } = await userWithDevices(4);
    const stranger = await signedIn();
    await revoke(tokens[0]!, ids[3]!); // already signed out: not counted again

    const response = await revokeOthers(tokens[0]!);
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(await response.json()).toEqual({ count: 2 });

    const rows = await app.db.session.findMany({ where: { id: { in: ids } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ids[0]!)).toMatchObject({ active: true, revokedAt: null });
    for (const id of ids.slice(1)) expect(byId.get(id)).toMatchObject({ active: false, revokedAt: expect.any(Date) });
    for (const token of tokens.slice(1)) await expect(await whoami(token)).toHaveStatus(401);
    await expect(await whoami(tokens[0]!)).toHaveStatus(200);
    await expect(await whoami(stranger.token)).toHaveStatus(200);

    expect(await (await revokeOthers(tokens[0]!)).json()).toEqual({ count: 0 });
  });
});

describe("DELETE /sessions/{id}", () => {
  it("without a session → 401", async () => {
    const { ids } = await userWithDevices(1);
    await expectError(await app.fetch(`/sessions/${ids[0]}`, { method: "DELETE" }), 401, "session_inactive");
    expect(await app.db.session.findUnique({ where: { id: ids[0]! } })).toMatchObject({ active: true });
  });

  it("another device of the user → 204; that device is refused from then on; again → 204", async () => {
    const { tokens, ids } = await userWithDevices(3);
    const response = await revoke(tokens[0]!, ids[1]!);
    await expect(response).toHaveStatus(204);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(await response.text()).toBe("");
    expect(await app.db.session.findUnique({ where: { id: ids[1]! } })).toMatchObject({
      active: false,
      revokedAt: expect.any(Date),
    });
    await expect(await whoami(tokens[1]!)).toHaveStatus(401);
    // Only that one: this device and the third still work.
    await expect(await whoami(tokens[0]!)).toHaveStatus(200);
    await expect(await whoami(tokens[2]!)).toHaveStatus(200);
    // A session of theirs that has already ended: revoking it again is not an error (Kratos: 204).
    await expect(await revoke(tokens[0]!, ids[1]!)).toHaveStatus(204);
  });

  it("an id in upper case → the same session, 204", async () => {
    const { tokens, ids } = await userWithDevices(2);
    await expect(await revoke(tokens[0]!, ids[1]!.toUpperCase())).toHaveStatus(204);
    await expect(await whoami(tokens[1]!)).toHaveStatus(401);
  });

  it("the current session → 400, still active (use the logout flow)", async () => {
    const { tokens, ids } = await userWithDevices(1);
    const error = await expectError(await revoke(tokens[0]!, ids[0]!), 400);
    expect(error.reason).toBe("This is the session of this request. Use the logout flow to end it.");
    await expect(await whoami(tokens[0]!)).toHaveStatus(200);
  });

  it("another user's session → 404, the same answer as for an id that exists nowhere; nothing revoked", async () => {
    const { tokens } = await userWithDevices(1);
    const stranger = await signedIn();
    const theirs = await expectError(await revoke(tokens[0]!, stranger.id), 404);
    const nobodys = await expectError(await revoke(tokens[0]!, crypto.randomUUID()), 404);
    expect(theirs).toEqual(nobodys);
    await expect(await whoami(stranger.token)).toHaveStatus(200);
  });

  it.each([["not-a-uuid"], ["123"], ["%E2%80%8B"], ["00000000-0000-0000-0000-00000000000g"]])(
    "malformed id %s → 400",
    async (id) => {
      const { tokens } = await userWithDevices(1);
      const error = await expectError(await revoke(tokens[0]!, id), 400);
      expect(error.reason).toBe("The session id must be a UUID.");
    },
  );

  it("revoking a device while it is mid-request: each of its requests answers 200 or 401, never 5xx; then 401", async () => {
    const { tokens, ids } = await userWithDevices(2);
    const [a, b] = [tokens[0]!, tokens[1]!];
    const burst = Array.from({ length: 40 }, () => whoami(b).then((response) => response.status));
    const revoked = revoke(a, ids[1]!).then((response) => response.status);
    const more = Array.from({ length: 40 }, () => whoami(b).then((response) => response.status));
    const statuses = await Promise.all([...burst, ...more]);
    expect(await revoked).toBe(204);
    expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
    await expect(await whoami(b)).toHaveStatus(401);
    await expect(await sessions(b)).toHaveStatus(401);
  });
});

describe("the official SDK (@ory/client-fetch FrontendApi)", () => {
  const sdk = () => frontendApi(app);

  it("listMySessions → the other sessions; disableMySession → resolves; disableMyOtherSessions → {count}", async () => {
    const { tokens, ids } = await userWithDevices(3);
    const listed = await sdk().listMySessions({ xSessionToken: tokens[0]! });
    expect(listed.map((s) => s.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(listed[0]!.devices?.[0]?.ip_address).toEqual(expect.any(String));

    await sdk().disableMySession({ id: ids[1]!, xSessionToken: tokens[0]! });
    expect((await sdk().listMySessions({ xSessionToken: tokens[0]! })).map((s) => s.id)).toEqual([ids[2]]);

    expect(await sdk().disableMyOtherSessions({ xSessionToken: tokens[0]! })).toEqual({ count: 1 });
    expect(await sdk().listMySessions({ xSessionToken: tokens[0]! })).toEqual([]);
    expect(await statusOf(sdk().toSession({ xSessionToken: tokens[2]! }))).toBe(401);
  });

  it("with the session cookie instead of a token", async () => {
    const client = new Client(app);
    const email = uniqueEmail("sdk-cookie");
    await register(client, email, PASSWORD);
    const other = await signInNative(app, email, PASSWORD);
    const cookie = client.jar.header();
    expect((await sdk().listMySessions({ cookie })).map((s) => s.id)).toEqual([other.session.id]);
    await sdk().disableMySession({ id: other.session.id, cookie });
    expect(await statusOf(sdk().toSession({ xSessionToken: other.session_token }))).toBe(401);
  });

  it("errors: 401 without a session, 400 for the current session, 404 for another user's", async () => {
    const { tokens, ids } = await userWithDevices(1);
    const stranger = await signedIn();
    expect(await statusOf(sdk().listMySessions())).toBe(401);
    expect(await statusOf(sdk().disableMyOtherSessions())).toBe(401);
    expect(await statusOf(sdk().disableMySession({ id: ids[0]!, xSessionToken: tokens[0]! }))).toBe(400);
    expect(await statusOf(sdk().disableMySession({ id: stranger.id, xSessionToken: tokens[0]! }))).toBe(404);
  });
});

describe("/sessions: the API unless a browser asks for the page", () => {
  const html = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

  it("the same URL without an Accept naming text/html (SDK, curl) → JSON", async () => {
    const { tokens } = await userWithDevices(1);
    for (const accept of [undefined, "*/*", "application/json"]) {
      const response = await app.fetch(`/sessions`, { headers: as(tokens[0]!, accept ? { Accept: accept } : {}) });
      await expect(response).toHaveStatus(200);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    }
  });

  it("the proxy takes /sessions only: a browser's GET of /sessions/whoami is still the API", async () => {
    const response = await app.fetch(`/sessions/whoami`, { headers: html, redirect: "manual" });
    await expectError(response, 401, "session_inactive");
  });

  it("DELETE with a browser's Accept is still the API", async () => {
    const { tokens } = await userWithDevices(2);
    const response = await app.fetch(`/sessions`, { method: "DELETE", headers: as(tokens[0]!, html) });
    await expect(response).toHaveStatus(200);
    expect(await response.json()).toEqual({ count: 1 });
  });

  it("the API's own folder is not a second address for it", async () => {
    const { tokens, ids } = await userWithDevices(2);
    for (const method of ["GET", "DELETE"]) {
      const response = await app.fetch("/sessions/others", { method, headers: as(tokens[0]!) });
      await expect(response).toHaveStatus(404);
    }
    const rows = await app.db.session.findMany({ where: { id: { in: ids } } });
    expect(rows.map((row) => row.active)).toEqual([true, true]);
  });
});
