// SPEC section 3: GET /self-service/logout/browser and GET /self-service/logout, one test per row.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { Client, NO_CACHE, signedInBrowser as signedInClient } from "../support/client";

let app: App;

beforeAll(async () => {
  app = await startInProcessApp({
    ALLOWED_RETURN_URLS: "https://allowed.example.com/app",
    LOGOUT_DEFAULT_BROWSER_RETURN_URL: "http://127.0.0.1/after-logout",
  });
});
afterAll(() => app.stop());

const COOKIE = "ory_kratos_session";

/** A browser with a fresh account, signed in. */
async function signedInBrowser(): Promise<{ client: Client; sessionId: string }> {
  const { client, session } = await signedInClient(app);
  return { client, sessionId: session.id };
}

async function logoutUrl(client: Client, query = ""): Promise<{ logout_url: string; logout_token: string }> {
  const response = await client.getJson(`/self-service/logout/browser${query}`);
  await expect(response).toHaveStatus(200);
  return (await response.json()) as { logout_url: string; logout_token: string };
}

async function sessionRow(id: string) {
  return app.db.session.findUniqueOrThrow({ where: { id } });
}

async function errorBody(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  return ((await response.json()) as { error: Record<string, unknown> }).error;
}

/** The stored error behind a browser's 303 to the error page. */
async function storedErrorOf(response: Response) {
  await expect(response).toHaveStatus(303);
  const location = new URL(response.headers.get("location")!);
  expect(location.pathname).toBe("/error");
  const id = location.searchParams.get("id")!;
  const stored = await app.fetch(`/self-service/errors?id=${id}`);
  await expect(stored).toHaveStatus(200);
  return ((await stored.json()) as { error: Record<string, unknown> }).error;
}

function setCookies(response: Response): string[] {
  return response.headers.getSetCookie();
}

/**
 * A refused logout: the JSON answer has this status and these error fields and sets no cookie; a
 * browser is sent to the error page, where the same error is stored.
 */
async function expectRefused(client: Client, url: string, error: { code: number; id?: string; reason?: string }) {
  const json = await client.getJson(url);
  await expect(json).toHaveStatus(error.code);
  expect(setCookies(json)).toEqual([]);
  expect(await errorBody(json)).toMatchObject(error);
  expect(await storedErrorOf(await client.request(url))).toMatchObject(error);
}

function expectSessionCookieCleared(response: Response): void {
  const cleared = setCookies(response).find((c) => c.startsWith(`${COOKIE}=`));
  expect(cleared).toBeDefined();
  expect(cleared).toMatch(/^ory_kratos_session=;/);
  expect(cleared).toMatch(/Max-Age=0/);
  expect(cleared).toMatch(/Path=\//);
  expect(cleared).toMatch(/HttpOnly/);
  expect(cleared).toMatch(/SameSite=Lax/);
}

describe("GET /self-service/logout/browser", () => {
  it("no active session → 401 session_inactive", async () => {
    const response = await new Client(app).getJson("/self-service/logout/browser");
    await expect(response).toHaveStatus(401);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("vary")).toBe("Cookie");
    expect(await errorBody(response)).toEqual({
      id: "session_inactive",
      code: 401,
      status: "Unauthorized",
      reason: "No active session was found in this request.",
      message: "request does not have a valid authentication session",
    });
  });

  it("no active session, browser request → still JSON 401 (this endpoint is fetched, not visited)", async () => {
    const response = await new Client(app).request("/self-service/logout/browser");
    await expect(response).toHaveStatus(401);
    expect((await errorBody(response)).id).toBe("session_inactive");
  });

  it("return_to that cannot be parsed → 400", async () => {
    const { client } = await signedInBrowser();
    const response = await client.getJson(
      `/self-service/logout/browser?return_to=${encodeURIComponent("http://[::1")}`,
    );
    await expect(response).toHaveStatus(400);
    expect((await errorBody(response)).reason).toMatch(/could not be parsed/);
  });

  it("return_to not allowed → 400 self_service_flow_return_to_forbidden", async () => {
    const { client } = await signedInBrowser();
    const response = await client.getJson(
      `/self-service/logout/browser?return_to=${encodeURIComponent("https://evil.com")}`,
    );
    await expect(response).toHaveStatus(400);
    expect(await errorBody(response)).toMatchObject({
      id: "self_service_flow_return_to_forbidden",
      code: 400,
      reason: 'Requested return_to URL "https://evil.com" is not allowed.',
    });
  });

  it("signed in → 200 {logout_token, logout_url} with a sorted query", async () => {
    const { client } = await signedInBrowser();
    const response = await client.getJson(
      `/self-service/logout/browser?return_to=${encodeURIComponent("https://allowed.example.com/app/x")}`,
    );
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const body = (await response.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["logout_token", "logout_url"]);
    const url = new URL(body.logout_url!);
    expect(`${url.origin}${url.pathname}`).toBe(`${app.url}/self-service/logout`);
    expect([...url.searchParams.keys()]).toEqual(["return_to", "token"]);
    expect(url.searchParams.get("return_to")).toBe("https://allowed.example.com/app/x");
    expect(url.searchParams.get("token")).toBe(body.logout_token);
  });

  it("without return_to, the URL carries only the token; empty return_to counts as absent", async () => {
    const { client } = await signedInBrowser();
    for (const query of ["", "?return_to="]) {
      const { logout_url, logout_token } = await logoutUrl(client, query);
      expect(logout_url).toBe(`${app.url}/self-service/logout?token=${logout_token}`);
    }
  });

  it("issuing logout URLs writes nothing to the database", async () => {
    const { client } = await signedInBrowser();
    await logoutUrl(client); // warm up
    const before = await app.database.fingerprint();
    for (let i = 0; i < 20; i++) await logoutUrl(client);
    expect(await app.database.fingerprint()).toBe(before);
  });

  it("never returns a session token or password hash", async () => {
    const { client } = await signedInBrowser();
    const text = JSON.stringify(await logoutUrl(client));
    expect(text).not.toMatch(/ory_st_|scrypt\$/);
  });
});

describe("GET /self-service/logout", () => {
  it("1. prefetch → 400 and nothing changes", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    const storedErrors = await app.db.selfServiceError.count();
    const prefetches: Record<string, string>[] = [
      { "Next-Router-Prefetch": "1" },
      { Purpose: "prefetch" },
      { "Sec-Purpose": "prefetch;prerender" },
    ];
    for (const headers of prefetches) {
      for (const accept of ["application/json", "text/html"]) {
        const response = await client.request(logout_url, { headers: { ...headers, Accept: accept } });
        await expect(response).toHaveStatus(400);
        expect((await response.json()).error.reason).toBe(
          "Prefetch requests cannot sign out. Open the logout link to sign out.",
        );
        expect(setCookies(response)).toEqual([]);
      }
    }
    expect((await sessionRow(sessionId)).active).toBe(true);
    expect(await app.db.selfServiceError.count()).toBe(storedErrors);
  });

  it("2. token missing or empty, JSON → 400 with Kratos's reason", async () => {
    const { client, sessionId } = await signedInBrowser();
    for (const path of ["/self-service/logout", "/self-service/logout?token="]) {
      const response = await client.getJson(path);
      await expect(response).toHaveStatus(400);
      expect((await errorBody(response)).reason).toBe("Please include a token in the URL query.");
    }
    expect((await sessionRow(sessionId)).active).toBe(true);
  });

  it("2. token missing, browser → 303 to the error page", async () => {
    const { client, sessionId } = await signedInBrowser();
    const response = await client.request("/self-service/logout");
    expect((await storedErrorOf(response)).reason).toBe("Please include a token in the URL query.");
    expect((await sessionRow(sessionId)).active).toBe(true);
  });

  it("3. token malformed, forged or tampered → 403; browser → error page", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_token } = await logoutUrl(client);
    const tampered = `${logout_token.slice(0, 5)}${logout_token[5] === "A" ? "B" : "A"}${logout_token.slice(6)}`;
    for (const token of ["not-a-token", tampered, `${logout_token}x`, "A".repeat(32) + "." + "A".repeat(43)]) {
      const response = await client.getJson(`/self-service/logout?token=${encodeURIComponent(token)}`);
      await expect(response).toHaveStatus(403);
      expect(setCookies(response)).toEqual([]);
    }
    const browser = await client.request(`/self-service/logout?token=${encodeURIComponent(tampered)}`);
    expect((await storedErrorOf(browser)).code).toBe(403);
    expect((await sessionRow(sessionId)).active).toBe(true);
  });

  it("4. token expired → 410 self_service_flow_expired; browser → error page; nothing revoked", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    // LOGOUT_TOKEN_TTL is 15 minutes: go 15 minutes and a second ahead.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 15 * 60_000 + 1_000 });
    try {
      // The error page offers a fresh Sign Out link while the user is signed in: tests/server/pages.test.ts.
      await expectRefused(client, logout_url, { code: 410, id: "self_service_flow_expired" });
      expect((await sessionRow(sessionId)).active).toBe(true);
      expect(client.jar.get(COOKIE)).toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("5. return_to not allowed → 400 and the session is untouched; browser → error page", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    const hostile = `${logout_url}&return_to=${encodeURIComponent("https://evil.com/")}`;
    await expectRefused(client, hostile, { code: 400, id: "self_service_flow_return_to_forbidden" });
    expect((await sessionRow(sessionId)).active).toBe(true);
    expect(client.jar.get(COOKIE)).toBeDefined();
  });

  it("5. a return_to in the logout request overrides the one the URL was created with", async () => {
    const { client } = await signedInBrowser();
    const { logout_token } = await logoutUrl(
      client,
      `?return_to=${encodeURIComponent("https://allowed.example.com/app/a")}`,
    );
    const response = await client.request(
      `/self-service/logout?token=${logout_token}&return_to=${encodeURIComponent("https://allowed.example.com/app/b")}`,
    );
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe("https://allowed.example.com/app/b");
  });

  it("6. another active session's cookie → 403 mismatch, nothing revoked", async () => {
    const alice = await signedInBrowser();
    const bob = await signedInBrowser();
    const { logout_url } = await logoutUrl(alice.client);
    await expectRefused(bob.client, logout_url, {
      code: 403,
      reason: "Unable to log out because the logout token in the URL query does not match the session cookie.",
    });
    expect((await sessionRow(alice.sessionId)).active).toBe(true);
    expect((await sessionRow(bob.sessionId)).active).toBe(true);
  });

  it("7. the token's session is already logged out → 204 and the stale cookie is cleared (idempotent)", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    const staleCookie = client.jar.get(COOKIE)!;
    await expect(await client.getJson(logout_url)).toHaveStatus(204);
    const revokedAt = (await sessionRow(sessionId)).revokedAt;

    client.jar.set(COOKIE, staleCookie);
    const again = await client.getJson(logout_url);
    await expect(again).toHaveStatus(204);
    expect(await again.text()).toBe("");
    expectSessionCookieCleared(again);
    // Revoked exactly once: the second call wrote nothing.
    expect((await sessionRow(sessionId)).revokedAt).toEqual(revokedAt);

    client.jar.set(COOKIE, staleCookie);
    const browser = await client.request(logout_url);
    await expect(browser).toHaveStatus(303);
    expect(browser.headers.get("location")).toBe("http://127.0.0.1/after-logout");
  });

  it("7. an already ended session's logout URL leaves the browser's CSRF token alone", async () => {
    // An attacker signs in and out and sends the (still unexpired) logout URL to a signed-out victim
    // whose sign-in form is open: the form must keep working.
    const attacker = await signedInBrowser();
    const { logout_url } = await logoutUrl(attacker.client);
    await expect(await attacker.client.getJson(logout_url)).toHaveStatus(204);

    const victim = new Client(app);
    await expect(await victim.getJson("/self-service/login/browser")).toHaveStatus(200);
    const csrf = victim.jar.get("csrf_token");
    expect(csrf).toMatch(/^[A-Za-z0-9]{32}$/);
    for (const answer of [await victim.getJson(logout_url), await victim.request(logout_url)]) {
      expect([204, 303]).toContain(answer.status);
      expect(setCookies(answer)).toEqual([]);
    }
    expect(victim.jar.get("csrf_token")).toBe(csrf);
  });

  it("7. already logged out and no cookie at all → 204", async () => {
    const { client } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    await expect(await client.getJson(logout_url)).toHaveStatus(204);
    const stranger = new Client(app);
    await expect(await stranger.getJson(logout_url)).toHaveStatus(204);
  });

  it("8. no active session in the request → 401 session_inactive, nothing revoked", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    const cases: Array<[string, (c: Client) => void]> = [
      ["no cookie", () => {}],
      ["an unreadable cookie", (c) => c.jar.set(COOKIE, "Fe26.2**garbage")],
    ];
    for (const [, prepare] of cases) {
      const other = new Client(app);
      prepare(other);
      const response = await other.getJson(logout_url);
      await expect(response).toHaveStatus(401);
      expect((await errorBody(response)).id).toBe("session_inactive");
      expect((await storedErrorOf(await other.request(logout_url))).id).toBe("session_inactive");
    }
    expect((await sessionRow(sessionId)).active).toBe(true);
  });

  it("8. a cookie of an ended session of someone else → 401, the token's session stays active", async () => {
    const alice = await signedInBrowser();
    const bob = await signedInBrowser();
    const bobCookie = bob.client.jar.get(COOKIE)!;
    await expect(await bob.client.getJson((await logoutUrl(bob.client)).logout_url)).toHaveStatus(204);
    bob.client.jar.set(COOKIE, bobCookie);
    const response = await bob.client.getJson((await logoutUrl(alice.client)).logout_url);
    await expect(response).toHaveStatus(401);
    expect((await sessionRow(alice.sessionId)).active).toBe(true);
  });

  it("9. success, JSON → 204, empty body, session revoked softly, cookie cleared, CSRF rotated", async () => {
    const { client, sessionId } = await signedInBrowser();
    const csrfBefore = client.jar.get("csrf_token");
    const sessionCookie = client.jar.get(COOKIE)!;
    const { logout_url } = await logoutUrl(client);
    const response = await client.getJson(logout_url);
    await expect(response).toHaveStatus(204);
    expect(await response.text()).toBe("");
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("clear-site-data")).toBeNull();
    expectSessionCookieCleared(response);
    expect(client.jar.get(COOKIE)).toBeUndefined();
    const csrfAfter = client.jar.get("csrf_token");
    expect(csrfAfter).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(csrfAfter).not.toBe(csrfBefore);

    const row = await sessionRow(sessionId);
    expect(row.active).toBe(false);
    expect(row.revokedAt).not.toBeNull();

    // The copied cookie is worthless now.
    const whoami = await app.fetch(`/sessions/whoami`, { headers: { Cookie: `${COOKIE}=${sessionCookie}` } });
    await expect(whoami).toHaveStatus(401);
  });

  it("9. a planted second session cookie cannot stop a logout: the one that unseals counts", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    const real = client.jar.get(COOKIE)!;
    const cookie = `${COOKIE}=planted; ${COOKIE}=${real}`;
    await expect(await app.fetch("/sessions/whoami", { headers: { cookie } })).toHaveStatus(200);
    await expect(await app.fetch(logout_url, { headers: { cookie, accept: "application/json" } })).toHaveStatus(204);
    expect((await sessionRow(sessionId)).active).toBe(false);
  });

  it("9. success, browser → 303 to return_to", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(
      client,
      `?return_to=${encodeURIComponent("https://allowed.example.com/app/bye")}`,
    );
    const response = await client.request(logout_url);
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe("https://allowed.example.com/app/bye");
    expectSessionCookieCleared(response);
    expect((await sessionRow(sessionId)).active).toBe(false);
  });

  it("9. success, browser without return_to → 303 to the logout default return URL", async () => {
    const { client } = await signedInBrowser();
    const response = await client.request((await logoutUrl(client)).logout_url);
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe("http://127.0.0.1/after-logout");
  });

  it("Accept: */* is a browser request (303), as curl sends it", async () => {
    const { client } = await signedInBrowser();
    const response = await client.request((await logoutUrl(client)).logout_url, { headers: { Accept: "*/*" } });
    await expect(response).toHaveStatus(303);
  });

  it("HEAD changes nothing", async () => {
    const { client, sessionId } = await signedInBrowser();
    const response = await client.request((await logoutUrl(client)).logout_url, { method: "HEAD" });
    await expect(response).toHaveStatus(405);
    expect(setCookies(response)).toEqual([]);
    expect((await sessionRow(sessionId)).active).toBe(true);
  });

  it("other methods change nothing", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await client.request(logout_url, { method });
      await expect(response).toHaveStatus(405);
    }
    expect((await sessionRow(sessionId)).active).toBe(true);
  });

  it("fifty simultaneous uses of one logout URL → all 204/303, none 5xx, revoked once", async () => {
    const { client, sessionId } = await signedInBrowser();
    const { logout_url } = await logoutUrl(client);
    const cookie = client.jar.header();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.fetch(logout_url, {
          headers: { Cookie: cookie, Accept: i % 2 ? "application/json" : "text/html" },
          redirect: "manual",
        }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 204 && s !== 303)).toEqual([]);
    expect((await sessionRow(sessionId)).active).toBe(false);
  });
});

describe("Clear-Site-Data", () => {
  it("is sent on logout over https when LOGOUT_CLEAR_BROWSER_DATA is on, never over http", async () => {
    // The https is a trusted proxy's word (X-Forwarded-Proto) in front of the app.
    const clearing = await startInProcessApp(
      { LOGOUT_CLEAR_BROWSER_DATA: "true", TRUSTED_PROXIES: "127.0.0.1" },
      { database: app.database },
    );
    try {
      for (const [proto, expected] of [
        ["https", '"cookies", "storage", "cache"'],
        ["http", null],
      ] as const) {
        const { client } = await signedInClient(clearing);
        const { logout_url } = (await (await client.getJson("/self-service/logout/browser")).json()) as {
          logout_url: string;
        };
        const response = await client.getJson(logout_url, { "X-Forwarded-Proto": proto });
        await expect(response).toHaveStatus(204);
        expect(response.headers.get("clear-site-data")).toBe(expected);
      }
    } finally {
      await clearing.stop();
    }
  });

  it("is not sent when X-Forwarded-Proto comes from a client rather than a trusted proxy", async () => {
    const clearing = await startInProcessApp({ LOGOUT_CLEAR_BROWSER_DATA: "true" }, { database: app.database });
    try {
      const { client } = await signedInClient(clearing);
      const { logout_url } = (await (await client.getJson("/self-service/logout/browser")).json()) as {
        logout_url: string;
      };
      const response = await client.getJson(logout_url, { "X-Forwarded-Proto": "https" });
      await expect(response).toHaveStatus(204);
      expect(response.headers.get("clear-site-data")).toBeNull();
    } finally {
      await clearing.stop();
    }
  });
});
