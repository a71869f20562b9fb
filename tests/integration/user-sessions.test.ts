// SPEC section 4, last item: the signed-in user's sessions (Kratos's listMySessions,
// disableMyOtherSessions, disableMySession), the devices page at /sessions, and the official SDK.

import { Configuration, FrontendApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../support/app";
import { statusOf } from "../support/sdk";
import { actionPath, Client, NO_CACHE, register, registerNative, uniqueEmail, type Flow } from "../support/client";

let app: App;
beforeAll(async () => {
  app = await startApp({ SESSION_LIFESPAN: "1h" });
});
afterAll(() => app.stop());

const PASSWORD = "correct horse battery staple";
const FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

type SessionBody = { id: string; active: boolean; devices: { user_agent: string | null }[]; identity: { id: string } };

/** Another device of the same user: a native sign-in, answering with its session token. */
async function signInNative(email: string, headers: Record<string, string> = {}) {
  const client = new Client(app);
  const flow = (await (await client.getJson("/self-service/login/api")).json()) as Flow;
  const response = await client.request(actionPath(flow), {
    headers,
    json: { method: "password", identifier: email, password: PASSWORD },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { session_token: string; session: { id: string } };
}

/** A user signed in on `devices` devices; the first is "this device". */
async function userWithDevices(devices: number) {
  const email = uniqueEmail("devices");
  const first = await registerNative(app, email, PASSWORD);
  const tokens = [first.session_token];
  const ids = [first.session.id];
  for (let i = 1; i < devices; i++) {
    const { session_token, session } = await signInNative(email);
    tokens.push(session_token);
    ids.push(session.id);
  }
  return { email, identityId: first.identity.id, tokens, ids };
}

const as = (token: string, headers: Record<string, string> = {}) => ({ "X-Session-Token": token, ...headers });

const sessions = (token: string, query = "") => fetch(`${app.url}/sessions${query}`, { headers: as(token) });

const revoke = (token: string, id: string) =>
  fetch(`${app.url}/sessions/${id}`, { method: "DELETE", headers: as(token) });

const revokeOthers = (token: string) => fetch(`${app.url}/sessions`, { method: "DELETE", headers: as(token) });

const whoami = (token: string) => fetch(`${app.url}/sessions/whoami`, { headers: as(token) });

async function expectError(response: Response, code: number, id?: string) {
  expect(response.status).toBe(code);
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
  return Object.fromEntries([...header.matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)].map(([, url, rel]) => [rel, new URL(url!)]));
}

describe("GET /sessions", () => {
  it("without a session → 401 session_inactive, not cacheable", async () => {
    const response = await fetch(`${app.url}/sessions`);
    expect(response.headers.get("vary")).toBe("Cookie");
    await expectError(response, 401, "session_inactive");
  });

  it("with a revoked session's token → 401", async () => {
    const { tokens, ids } = await userWithDevices(2);
    expect((await revoke(tokens[1]!, ids[0]!)).status).toBe(204);
    await expectError(await sessions(tokens[0]!), 401, "session_inactive");
  });

  it("→ 200, the user's OTHER active sessions, newest first, as Session JSON without tokens", async () => {
    const { tokens, ids, identityId } = await userWithDevices(4);
    const stranger = await registerNative(app, uniqueEmail("stranger"), PASSWORD);
    // One device signed out and one expired: neither is listed.
    await app.db.session.update({ where: { id: ids[1]! }, data: { active: false, revokedAt: new Date() } });
    await app.db.session.update({ where: { id: ids[2]! }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const response = await sessions(tokens[0]!);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("vary")).toBe("Cookie");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const listed = (await response.json()) as SessionBody[];
    expect(listed.map((s) => s.id)).toEqual([ids[3]]);
    expect(listed[0]!.active).toBe(true);
    expect(listed[0]!.identity.id).toBe(identityId);
    expect(Object.keys(listed[0]!).sort()).toEqual(
      ["active", "authenticated_at", "authentication_methods", "authenticator_assurance_level", "devices", "expires_at", "id", "identity", "issued_at"].sort(),
    );
    const text = JSON.stringify(listed);
    expect(text).not.toMatch(/ory_st_|scrypt|password_hash|token_hash|logout_token/);
    expect(text).not.toContain(stranger.session.id);
    expect(links(response)).toEqual({ first: new URL(`${app.url}/sessions?page_size=250`) });
  });

  it("a user signed in nowhere else → 200 []", async () => {
    const { tokens } = await userWithDevices(1);
    const response = await sessions(tokens[0]!);
    expect(response.status).toBe(200);
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
        const response: Response = await fetch(next, { headers: as(token) });
        expect(response.status).toBe(200);
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
      const sdk = new FrontendApi(new Configuration({ basePath: app.url }));
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
      expect(response.status).toBe(200);
      expect(((await response.json()) as SessionBody[]).map((s) => s.id)).toEqual(expected);
      expect(links(response).first?.searchParams.get("page_size")).toBe("1000");
    });

    it.each([["garbage!"], [Buffer.from("[1,2]").toString("base64url")], [Buffer.from('[1,"not-a-uuid"]').toString("base64url")]])(
      "page_token=%s → 400",
      async (pageToken) => {
        const { token } = await userWithSevenOthers();
        const error = await expectError(await sessions(token, `?page_token=${encodeURIComponent(pageToken)}`), 400);
        expect(error.reason).toMatch(/page_token is not valid/);
      },
    );
  });
});

describe("DELETE /sessions", () => {
  it("without a session → 401", async () => {
    await expectError(await fetch(`${app.url}/sessions`, { method: "DELETE" }), 401, "session_inactive");
  });

  it("→ 200 {count}: every other active session revoked (soft), this one and other users' untouched", async () => {
    const { tokens, ids } = await userWithDevices(4);
    const stranger = await registerNative(app, uniqueEmail("stranger"), PASSWORD);
    await revoke(tokens[0]!, ids[3]!); // already signed out: not counted again

    const response = await revokeOthers(tokens[0]!);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(await response.json()).toEqual({ count: 2 });

    const rows = await app.db.session.findMany({ where: { id: { in: ids } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ids[0]!)).toMatchObject({ active: true, revokedAt: null });
    for (const id of ids.slice(1)) expect(byId.get(id)).toMatchObject({ active: false, revokedAt: expect.any(Date) });
    for (const token of tokens.slice(1)) expect((await whoami(token)).status).toBe(401);
    expect((await whoami(tokens[0]!)).status).toBe(200);
    expect((await whoami(stranger.session_token)).status).toBe(200);

    expect(await (await revokeOthers(tokens[0]!)).json()).toEqual({ count: 0 });
  });
});

describe("DELETE /sessions/{id}", () => {
  it("without a session → 401", async () => {
    const { ids } = await userWithDevices(1);
    await expectError(await fetch(`${app.url}/sessions/${ids[0]}`, { method: "DELETE" }), 401, "session_inactive");
    expect(await app.db.session.findUnique({ where: { id: ids[0]! } })).toMatchObject({ active: true });
  });

  it("another device of the user → 204; that device is refused from then on; again → 204", async () => {
    const { tokens, ids } = await userWithDevices(3);
    const response = await revoke(tokens[0]!, ids[1]!);
    expect(response.status).toBe(204);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(await response.text()).toBe("");
    expect(await app.db.session.findUnique({ where: { id: ids[1]! } })).toMatchObject({ active: false, revokedAt: expect.any(Date) });
    expect((await whoami(tokens[1]!)).status).toBe(401);
    // Only that one: this device and the third still work.
    expect((await whoami(tokens[0]!)).status).toBe(200);
    expect((await whoami(tokens[2]!)).status).toBe(200);
    // A session of theirs that has already ended: revoking it again is not an error (Kratos: 204).
    expect((await revoke(tokens[0]!, ids[1]!)).status).toBe(204);
  });

  it("an id in upper case → the same session, 204", async () => {
    const { tokens, ids } = await userWithDevices(2);
    expect((await revoke(tokens[0]!, ids[1]!.toUpperCase())).status).toBe(204);
    expect((await whoami(tokens[1]!)).status).toBe(401);
  });

  it("the current session → 400, still active (use the logout flow)", async () => {
    const { tokens, ids } = await userWithDevices(1);
    const error = await expectError(await revoke(tokens[0]!, ids[0]!), 400);
    expect(error.reason).toBe("This is the session of this request. Use the logout flow to end it.");
    expect((await whoami(tokens[0]!)).status).toBe(200);
  });

  it("another user's session → 404, the same answer as for an id that exists nowhere; nothing revoked", async () => {
    const { tokens } = await userWithDevices(1);
    const stranger = await registerNative(app, uniqueEmail("stranger"), PASSWORD);
    const theirs = await expectError(await revoke(tokens[0]!, stranger.session.id), 404);
    const nobodys = await expectError(await revoke(tokens[0]!, crypto.randomUUID()), 404);
    expect(theirs).toEqual(nobodys);
    expect((await whoami(stranger.session_token)).status).toBe(200);
  });

  it.each([["not-a-uuid"], ["123"], ["%E2%80%8B"], ["00000000-0000-0000-0000-00000000000g"]])("malformed id %s → 400", async (id) => {
    const { tokens } = await userWithDevices(1);
    const error = await expectError(await revoke(tokens[0]!, id), 400);
    expect(error.reason).toBe("The session id must be a UUID.");
  });

  it("revoking a device while it is mid-request: each of its requests answers 200 or 401, never 5xx; then 401", async () => {
    const { tokens, ids } = await userWithDevices(2);
    const [a, b] = [tokens[0]!, tokens[1]!];
    const burst = Array.from({ length: 40 }, () => whoami(b).then((response) => response.status));
    const revoked = revoke(a, ids[1]!).then((response) => response.status);
    const more = Array.from({ length: 40 }, () => whoami(b).then((response) => response.status));
    const statuses = await Promise.all([...burst, ...more]);
    expect(await revoked).toBe(204);
    expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
    expect((await whoami(b)).status).toBe(401);
    expect((await sessions(b)).status).toBe(401);
  });
});

describe("the official SDK (@ory/client-fetch FrontendApi)", () => {
  const sdk = () => new FrontendApi(new Configuration({ basePath: app.url }));


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
    const other = await signInNative(email);
    const cookie = client.jar.header();
    expect((await sdk().listMySessions({ cookie })).map((s) => s.id)).toEqual([other.session.id]);
    await sdk().disableMySession({ id: other.session.id, cookie });
    expect(await statusOf(sdk().toSession({ xSessionToken: other.session_token }))).toBe(401);
  });

  it("errors: 401 without a session, 400 for the current session, 404 for another user's", async () => {
    const { tokens, ids } = await userWithDevices(1);
    const stranger = await registerNative(app, uniqueEmail("stranger"), PASSWORD);
    expect(await statusOf(sdk().listMySessions())).toBe(401);
    expect(await statusOf(sdk().disableMyOtherSessions())).toBe(401);
    expect(await statusOf(sdk().disableMySession({ id: ids[0]!, xSessionToken: tokens[0]! }))).toBe(400);
    expect(await statusOf(sdk().disableMySession({ id: stranger.session.id, xSessionToken: tokens[0]! }))).toBe(404);
  });
});

describe("the devices page at /sessions (browser navigation)", () => {
  const html = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

  it("signed out → redirected to /login", async () => {
    const response = await fetch(`${app.url}/sessions`, { headers: html, redirect: "manual" });
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get("location")!, app.url).pathname).toBe("/login");
  });

  it("signed in → the page, not cacheable: this device marked, the other in words a person recognises", async () => {
    const client = new Client(app);
    const email = uniqueEmail("page");
    await register(client, email, PASSWORD);
    const other = await signInNative(email, { "User-Agent": FIREFOX_ON_WINDOWS });

    const response = await client.request("/sessions", { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toMatch(/no-store/);
    const page = await response.text();
    expect(page).toContain("This device");
    expect(page).toContain(email);
    expect(page).toMatch(/Firefox on Windows/);
    expect(page).toMatch(/signed in .*just now|signed in .*minute/);
    expect(page).toContain(`data-session-id="${other.session.id}"`);
    expect(page).toContain("Sign out everywhere else");
    expect(page).not.toMatch(/ory_st_/);
  });

  it("the same URL without an Accept naming text/html (SDK, curl) → JSON", async () => {
    const { tokens } = await userWithDevices(1);
    for (const accept of [undefined, "*/*", "application/json"]) {
      const response = await fetch(`${app.url}/sessions`, { headers: as(tokens[0]!, accept ? { Accept: accept } : {}) });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    }
  });

  it("the proxy takes /sessions only: a browser's GET of /sessions/whoami is still the API", async () => {
    const response = await fetch(`${app.url}/sessions/whoami`, { headers: html, redirect: "manual" });
    await expectError(response, 401, "session_inactive");
  });

  it("DELETE with a browser's Accept is still the API", async () => {
    const { tokens } = await userWithDevices(2);
    const response = await fetch(`${app.url}/sessions`, { method: "DELETE", headers: as(tokens[0]!, html) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ count: 1 });
  });
});
