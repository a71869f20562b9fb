// Who opens the admin API (issue 16's contract): only `Authorization: Bearer <ADMIN_API_TOKEN>`.
// No token or a wrong one → 401 in the envelope; no session credential opens it; the admin token is
// no session credential; admin answers are not cacheable, set no cookie and carry no CORS headers.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { ADMIN_ENDPOINTS, ADMIN_TOKEN, asAdmin, DEACTIVATE } from "../support/admin";
import { NO_CACHE } from "../support/client";
import { identityApi, statusOf } from "../support/sdk";
import { signedIn, type SignedIn } from "../support/sessions";

const UI = "http://localhost:4455";

let app: App;
let session: SignedIn;
beforeAll(async () => {
  app = await startInProcessApp({ ADMIN_API_TOKEN: ADMIN_TOKEN, CORS_ALLOWED_ORIGINS: UI });
  session = await signedIn();
});
afterAll(() => app.stop());

const UNAUTHORIZED = {
  error: {
    code: 401,
    status: "Unauthorized",
    reason: "This endpoint needs the admin API token: send it as Authorization: Bearer <ADMIN_API_TOKEN>.",
    message: "The request could not be authorized",
  },
};

async function expectUnauthorized(response: Response) {
  await expect(response).toHaveStatus(401);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
  expect(response.headers.get("cache-control")).toBe(NO_CACHE);
  expect(response.headers.get("set-cookie")).toBeNull();
  expect(await response.json()).toEqual(UNAUTHORIZED);
}

/** Each admin endpoint with these headers: all 401, and nothing changed (the session still counts). */
async function expectEveryEndpointRefuses(headers: Record<string, string>) {
  const before = await app.database.fingerprint();
  for (const [method, path] of ADMIN_ENDPOINTS(session.id, session.identityId)) {
    const body = method === "PATCH" ? DEACTIVATE : undefined;
    await expectUnauthorized(
      await app.fetch(path, { method, body, headers: { "content-type": "application/json", ...headers } }),
    );
  }
  expect(await app.database.fingerprint()).toBe(before);
  await expect(await app.fetch("/sessions/whoami", { headers: { "X-Session-Token": session.token } })).toHaveStatus(
    200,
  );
}

describe("the admin API's credential", () => {
  it("no Authorization header → 401 on every endpoint, nothing changed", async () => {
    await expectEveryEndpointRefuses({});
  });

  it.each([
    ["a wrong token", `Bearer ${ADMIN_TOKEN.slice(0, -1)}x`],
    ["the token with a suffix", `Bearer ${ADMIN_TOKEN}x`],
    ["a prefix of the token", `Bearer ${ADMIN_TOKEN.slice(0, 32)}`],
    ["the token in Basic", `Basic ${ADMIN_TOKEN}`],
    ["the token without a scheme", ADMIN_TOKEN],
    ["an empty Bearer", "Bearer "],
  ])("%s → 401 on every endpoint", async (_name, authorization) => {
    await expectEveryEndpointRefuses({ authorization });
  });

  it("a signed-in session's cookie → 401 on every endpoint", async () => {
    await expectEveryEndpointRefuses({ cookie: session.cookie });
  });

  it("a signed-in session's X-Session-Token or Bearer session token → 401 on every endpoint", async () => {
    await expectEveryEndpointRefuses({ "X-Session-Token": session.token });
    await expectEveryEndpointRefuses({ authorization: `Bearer ${session.token}` });
  });

  it("the SDK without an accessToken or with a wrong one → 401; with the token → 200", async () => {
    expect(await statusOf(identityApi(app).listSessions())).toBe(401);
    expect(
      await statusOf(identityApi(app, { accessToken: "not-the-token" }).getIdentity({ id: session.identityId })),
    ).toBe(401);
    const identity = await identityApi(app, { accessToken: ADMIN_TOKEN }).getIdentity({ id: session.identityId });
    expect(identity.id).toBe(session.identityId);
  });

  it("the scheme is case-insensitive, as RFC 6750 has it: bearer <token> → 200", async () => {
    await expect(
      await app.fetch("/admin/sessions", { headers: { authorization: `bearer ${ADMIN_TOKEN}` } }),
    ).toHaveStatus(200);
  });

  it("an unknown admin path → 401 without the token, 404 with it", async () => {
    await expectUnauthorized(await app.fetch("/admin/identities"));
    const response = await app.fetch("/admin/identities", { headers: asAdmin() });
    await expect(response).toHaveStatus(404);
    expect(await response.json()).toEqual({
      error: { code: 404, status: "Not Found", message: "The requested resource could not be found" },
    });
  });

  it("a method an endpoint does not offer → 401 without the token, 405 with Allow with it", async () => {
    await expectUnauthorized(await app.fetch("/admin/sessions", { method: "DELETE" }));
    const response = await app.fetch("/admin/sessions", { method: "DELETE", headers: asAdmin() });
    await expect(response).toHaveStatus(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    const extend = await app.fetch(`/admin/sessions/${session.id}/extend`, { method: "POST", headers: asAdmin() });
    await expect(extend).toHaveStatus(405);
    expect(extend.headers.get("allow")).toBe("PATCH");
  });

  it("HEAD → the GET's status and headers without a body", async () => {
    const response = await app.fetch(`/admin/sessions/${session.id}`, { method: "HEAD", headers: asAdmin() });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.text()).toBe("");
  });
});

describe("the admin token is not a session credential", () => {
  it.each([
    ["Authorization: Bearer", { authorization: `Bearer ${ADMIN_TOKEN}` }],
    ["X-Session-Token", { "X-Session-Token": ADMIN_TOKEN }],
  ])("GET /sessions/whoami with the admin token as %s → 401 session_inactive", async (_name, headers) => {
    const response = await app.fetch("/sessions/whoami", { headers });
    await expect(response).toHaveStatus(401);
    expect(((await response.json()) as { error: { id: string } }).error.id).toBe("session_inactive");
  });

  it("the user's session list and logout refuse it too", async () => {
    await expect(await app.fetch("/sessions", { headers: asAdmin({ accept: "application/json" }) })).toHaveStatus(401);
    await expect(await app.fetch("/self-service/logout/browser", { headers: asAdmin() })).toHaveStatus(401);
  });
});

describe("admin answers", () => {
  it("are not cacheable, set no cookie and carry no CORS headers, even for an allowed UI origin", async () => {
    for (const [method, path] of [
      ["GET", "/admin/sessions"],
      ["GET", `/admin/sessions/${session.id}?expand=identity`],
      ["GET", `/admin/identities/${session.identityId}`],
      ["GET", `/admin/identities/${session.identityId}/sessions`],
    ] as const) {
      const response = await app.fetch(path, { method, headers: asAdmin({ origin: UI, cookie: session.cookie }) });
      await expect(response, path).toHaveStatus(200);
      expect(response.headers.get("cache-control")).toBe(NO_CACHE);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    }
    // Its errors as well.
    const refused = await app.fetch("/admin/sessions", { headers: { origin: UI } });
    await expect(refused).toHaveStatus(401);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("an OPTIONS preflight from an allowed UI origin → no CORS grant", async () => {
    const response = await app.fetch("/admin/sessions", {
      method: "OPTIONS",
      headers: {
        origin: UI,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    await expectUnauthorized(response);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});
