// CORS_ALLOWED_ORIGINS (Kratos's serve.public.cors): a UI on another origin calls the self-service
// and session endpoints with its cookie. Credentialed CORS for the listed origins only; other
// origins get no CORS header at all. Preflights are answered by proxy.ts (tests/server/cors.test.ts
// checks that Next routes them there); here the proxy is called directly.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { actionPath, browserFlow, Client, csrfTokenOf, signedInBrowser } from "../support/client";

const UI = "http://localhost:4455";
const OTHER = "http://localhost:6666";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ CORS_ALLOWED_ORIGINS: `${UI}, https://*.example.com` });
});
afterAll(() => app.stop());

const CORS_HEADERS = [
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
  "access-control-expose-headers",
];

/** The response's CORS headers, by name. */
function corsHeadersOf(response: Response): Record<string, string> {
  return Object.fromEntries(
    CORS_HEADERS.flatMap((name) => {
      const value = response.headers.get(name);
      return value === null ? [] : [[name, value]];
    }),
  );
}

/** A browser's preflight for a cross-origin request, answered by proxy.ts as Next would route it. */
async function preflight(path: string, origin: string, method = "GET", requestHeaders?: string): Promise<Response> {
  const { proxy } = await import("@/proxy");
  const { NextRequest } = await import("next/server");
  const headers: Record<string, string> = { Origin: origin, "Access-Control-Request-Method": method };
  if (requestHeaders) headers["Access-Control-Request-Headers"] = requestHeaders;
  return proxy(new NextRequest(new URL(path, app.url), { method: "OPTIONS", headers }));
}

describe("preflight (OPTIONS with Access-Control-Request-Method)", () => {
  it.each([
    ["/sessions/whoami", "GET"],
    ["/self-service/login/browser", "GET"],
    ["/self-service/login?flow=x", "POST"],
    ["/self-service/logout/browser", "GET"],
    ["/self-service/logout/api", "DELETE"],
    ["/sessions", "DELETE"],
  ])("%s (%s) from an allowed origin → 204 with credentialed CORS headers", async (path, method) => {
    const response = await preflight(path, UI, method, "content-type,x-session-token,accept");
    await expect(response).toHaveStatus(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, PATCH, DELETE");
    const allowedHeaders = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(", ");
    expect(allowedHeaders).toEqual(expect.arrayContaining(["x-session-token", "content-type", "accept"]));
    expect(response.headers.get("access-control-max-age")).toBe("600");
    expect(response.headers.get("vary")).toContain("Origin");
    expect(await response.text()).toBe("");
  });

  it("from a subdomain matching https://*.example.com → allowed", async () => {
    const response = await preflight("/sessions/whoami", "https://ui.example.com");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://ui.example.com");
  });

  it.each([
    ["another port", OTHER],
    ["another scheme", "https://localhost:4455"],
    ["the wildcard's own domain", "https://example.com"],
    ["a look-alike domain", "https://evil-example.com"],
    ["http for an https wildcard", "http://ui.example.com"],
    ['the "null" origin', "null"],
    ["a value with a path", `${UI}/x`],
  ])("from %s → 204 without any CORS header", async (_case, origin) => {
    const response = await preflight("/sessions/whoami", origin);
    await expect(response).toHaveStatus(204);
    expect(corsHeadersOf(response)).toEqual({});
  });

  it("never answers * for credentials", async () => {
    const response = await preflight("/sessions/whoami", UI);
    expect(response.headers.get("access-control-allow-origin")).not.toBe("*");
  });
});

describe("credentialed requests", () => {
  it("GET /sessions/whoami with the cookie from the allowed origin → 200 with its origin and credentials allowed", async () => {
    const { client, session } = await signedInBrowser(app);
    const response = await client.request("/sessions/whoami", { headers: { Origin: UI, Accept: "application/json" } });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toBe("Content-Type");
    expect(response.headers.get("vary")).toBe("Cookie, Origin");
    expect(((await response.json()) as { id: string }).id).toBe(session.id);
  });

  it("GET /sessions/whoami from another origin → the same answer without CORS headers (the browser hides it)", async () => {
    const { client } = await signedInBrowser(app);
    const response = await client.request("/sessions/whoami", { headers: { Origin: OTHER } });
    await expect(response).toHaveStatus(200);
    expect(corsHeadersOf(response)).toEqual({});
    expect(response.headers.get("vary")).toBe("Cookie, Origin");
  });

  it("a 401 from whoami carries the CORS headers too, so the UI can read that nobody is signed in", async () => {
    const response = await app.fetch("/sessions/whoami", { headers: { Origin: UI } });
    await expect(response).toHaveStatus(401);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
  });

  it("a whole sign-in from the allowed origin: flow init, submit, logout URL, logout (JSON) all carry CORS headers", async () => {
    const client = new Client(app);
    const email = `cors-${crypto.randomUUID()}@example.com`;
    const headers = { Origin: UI, Accept: "application/json" };
    const init = await client.request("/self-service/registration/browser", { headers });
    await expect(init).toHaveStatus(200);
    expect(init.headers.get("access-control-allow-origin")).toBe(UI);
    expect(init.headers.getSetCookie().some((c) => c.startsWith("csrf_token="))).toBe(true);
    const flow = (await init.json()) as Parameters<typeof actionPath>[0];

    const submit = await client.request(actionPath(flow), {
      headers,
      json: {
        method: "password",
        traits: { email },
        password: "correct horse battery staple",
        csrf_token: csrfTokenOf(flow),
      },
    });
    await expect(submit).toHaveStatus(200);
    expect(submit.headers.get("access-control-allow-origin")).toBe(UI);
    expect(client.jar.get("ory_kratos_session")).toBeDefined();

    const logoutUrl = await client.request("/self-service/logout/browser", { headers });
    await expect(logoutUrl).toHaveStatus(200);
    expect(logoutUrl.headers.get("access-control-allow-origin")).toBe(UI);
    const { logout_url } = (await logoutUrl.json()) as { logout_url: string };

    const logout = await client.request(logout_url, { headers });
    await expect(logout).toHaveStatus(204);
    expect(logout.headers.get("access-control-allow-origin")).toBe(UI);
    expect(client.jar.get("ory_kratos_session")).toBeUndefined();
    const session = await app.db.session.findFirstOrThrow({ where: { identity: { email } } });
    expect(session.active).toBe(false);
  });

  it("a login flow read from the allowed origin → 200 with CORS headers", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const response = await client.request(`/self-service/login/flows?id=${flow.id}`, { headers: { Origin: UI } });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
  });
});
