// LOGIN_UI_URL, REGISTRATION_UI_URL, ERROR_UI_URL (Kratos's selfservice.flows.*.ui_url): every
// browser redirect to a page goes to the configured UI, with `flow=` or `id=` added to its query.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { actionPath, browserFlow, Client, csrfTokenOf, NO_CACHE, signedInBrowser } from "../support/client";

const UI = "http://localhost:4455";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({
    LOGIN_UI_URL: `${UI}/auth/login?theme=dark`,
    REGISTRATION_UI_URL: `${UI}/auth/registration`,
    ERROR_UI_URL: `${UI}/auth/error`,
  });
});
afterAll(() => app.stop());

/** The Location header, parsed. */
function location(response: Response): URL {
  const value = response.headers.get("location");
  if (!value) throw new Error(`no Location header (status ${response.status})`);
  return new URL(value);
}

describe("browser flow init", () => {
  it("GET /self-service/login/browser → 303 to LOGIN_UI_URL with flow= added to its query", async () => {
    const client = new Client(app);
    const response = await client.request("/self-service/login/browser");
    await expect(response).toHaveStatus(303);
    const to = location(response);
    expect(to.origin + to.pathname).toBe(`${UI}/auth/login`);
    expect(to.searchParams.get("theme")).toBe("dark");
    const flowId = to.searchParams.get("flow") ?? "";
    const row = await app.db.selfServiceFlow.findUnique({ where: { id: flowId } });
    expect(row).toMatchObject({ kind: "login", type: "browser" });
    expect(client.jar.get("csrf_token")).toBeDefined();
  });

  it("GET /self-service/registration/browser → 303 to REGISTRATION_UI_URL?flow=<id>", async () => {
    const response = await new Client(app).request("/self-service/registration/browser");
    await expect(response).toHaveStatus(303);
    const to = location(response);
    expect(to.origin + to.pathname).toBe(`${UI}/auth/registration`);
    const row = await app.db.selfServiceFlow.findUnique({ where: { id: to.searchParams.get("flow") ?? "" } });
    expect(row).toMatchObject({ kind: "registration", type: "browser" });
  });
});

describe("failed form POST", () => {
  it.each(["login", "registration"] as const)(
    "POST /self-service/%s with invalid fields (form) → 303 back to its UI URL with the same flow",
    async (kind) => {
      const client = new Client(app);
      const flow = await browserFlow(client, kind);
      const response = await client.request(actionPath(flow), {
        form: { method: "password", csrf_token: csrfTokenOf(flow) },
      });
      await expect(response).toHaveStatus(303);
      const to = location(response);
      expect(to.origin + to.pathname).toBe(`${UI}/auth/${kind}`);
      expect(to.searchParams.get("flow")).toBe(flow.id);
      // The UI reads why from the flow.
      const row = await app.db.selfServiceFlow.findUniqueOrThrow({ where: { id: flow.id } });
      expect(row.ui).toContain("4000002");
    },
  );
});

describe("stored browser errors", () => {
  it("a CSRF violation on a form POST → 303 to ERROR_UI_URL?id=<stored error>", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const response = await client.request(actionPath(flow), {
      form: { method: "password", identifier: "a@example.com", password: "x", csrf_token: "forged" },
    });
    await expect(response).toHaveStatus(303);
    const to = location(response);
    expect(to.origin + to.pathname).toBe(`${UI}/auth/error`);
    const stored = await app.fetch(`/self-service/errors?id=${to.searchParams.get("id")}`);
    await expect(stored).toHaveStatus(200);
    expect(((await stored.json()) as { error: { id: string } }).error.id).toBe("security_csrf_violation");
  });

  it("a browser logout without a token → 303 to ERROR_UI_URL?id=<stored error>", async () => {
    const { client } = await signedInBrowser(app);
    const response = await client.request("/self-service/logout");
    await expect(response).toHaveStatus(303);
    const to = location(response);
    expect(to.origin + to.pathname).toBe(`${UI}/auth/error`);
    const row = await app.db.selfServiceError.findUnique({ where: { id: to.searchParams.get("id") ?? "" } });
    expect(row?.error).toContain("Please include a token in the URL query.");
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
  });
});

describe("return_to rules are unchanged", () => {
  it("a return_to on the UI's host is refused unless ALLOWED_RETURN_URLS names it → 400 (JSON)", async () => {
    const response = await new Client(app).getJson(`/self-service/login/browser?return_to=${UI}/welcome`);
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as { error: { id: string } }).error.id).toBe(
      "self_service_flow_return_to_forbidden",
    );
    expect(await app.db.selfServiceFlow.count({ where: { returnTo: `${UI}/welcome` } })).toBe(0);
  });
});
