// Ory's UI in front of the production server. CORS: Next must route every preflight of a
// self-service or session endpoint to proxy.ts (its matcher), since a route handler never sees
// OPTIONS; the rules themselves are tested in-process in tests/routes/cors.test.ts. And the pages'
// Content-Security-Policy lets a form land on the configured UIs.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { signedIn } from "../support/sessions";

const UI = "http://localhost:4455";

let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp({
    CORS_ALLOWED_ORIGINS: UI,
    LOGIN_UI_URL: `${UI}/login`,
    REGISTRATION_UI_URL: `${UI}/registration`,
    ERROR_UI_URL: "https://errors.example.com/error",
  });
});
afterAll(() => app?.stop());

function preflight(path: string, origin: string, method: string): Promise<Response> {
  return app.fetch(path, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": "content-type, x-session-token",
    },
  });
}

describe("preflight through Next's routing", () => {
  it.each([
    ["/sessions/whoami", "GET"],
    ["/sessions", "GET"],
    ["/sessions/00000000-0000-4000-8000-000000000000", "DELETE"],
    ["/self-service/login/browser", "GET"],
    ["/self-service/login?flow=00000000-0000-4000-8000-000000000000", "POST"],
    ["/self-service/registration/flows?id=x", "GET"],
    ["/self-service/logout/browser", "GET"],
    ["/self-service/logout?token=x", "GET"],
    ["/self-service/logout/api", "DELETE"],
    ["/self-service/errors?id=x", "GET"],
    ["/self-service/recovery/browser", "GET"],
  ])("OPTIONS %s (for %s) from the allowed origin → 204 with credentialed CORS headers", async (path, method) => {
    const response = await preflight(path, UI, method);
    await expect(response).toHaveStatus(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toContain(method);
    expect(response.headers.get("access-control-allow-headers")).toContain("X-Session-Token");
    expect(response.headers.get("access-control-max-age")).toBe("600");
  });

  it("OPTIONS from another origin → no CORS headers", async () => {
    const response = await preflight("/sessions/whoami", "http://localhost:6666", "GET");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("credentialed requests through the production server", () => {
  it("GET /sessions/whoami with the cookie from the allowed origin → 200 with its origin and credentials allowed", async () => {
    const { cookie, id } = await signedIn();
    const response = await app.fetch("/sessions/whoami", { headers: { cookie, Origin: UI } });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("vary")).toBe("Cookie, Origin");
    expect(((await response.json()) as { id: string }).id).toBe(id);
  });

  it("GET /sessions (rewritten by the proxy to its API) from the allowed origin → CORS headers", async () => {
    const { token } = await signedIn();
    const response = await app.fetch("/sessions", { headers: { "x-session-token": token, Origin: UI } });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(UI);
  });
});

describe("the pages' Content-Security-Policy", () => {
  it("form-action allows the UI origins, where a failed form is sent back to", async () => {
    const page = await app.fetch("/registration", { headers: { Accept: "text/html" } });
    const policy = page.headers.get("content-security-policy") ?? "";
    const formAction = policy.split("; ").find((directive) => directive.startsWith("form-action "));
    expect(formAction).toBe(`form-action 'self' ${UI} https://errors.example.com`);
  });
});
