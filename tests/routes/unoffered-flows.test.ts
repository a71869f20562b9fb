// Settings, recovery and verification: flows this app does not offer answer as Kratos does for a
// disabled flow (400 "… is not allowed because it was disabled."): the envelope for JSON requests,
// the error UI for browsers, and nothing is stored.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { Client, NO_CACHE, signedInBrowser } from "../support/client";

const ERROR_UI = "http://localhost:4455/error";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ ERROR_UI_URL: ERROR_UI });
});
afterAll(() => app.stop());

const FLOWS = [
  ["settings", "Settings"],
  ["recovery", "Recovery"],
  ["verification", "Verification"],
] as const;

const FLOW_ID = "6f0e3a4c-2b1d-4c5e-9f8a-7b6c5d4e3f2a";

/** Every endpoint Kratos has for a flow: init (browser, api), read, submit (GET and POST). */
const endpoints = (flow: string) =>
  [
    ["GET", `/self-service/${flow}/browser`],
    ["GET", `/self-service/${flow}/api`],
    ["GET", `/self-service/${flow}/flows?id=${FLOW_ID}`],
    ["POST", `/self-service/${flow}?flow=${FLOW_ID}`],
    ["GET", `/self-service/${flow}?flow=${FLOW_ID}`],
  ] as const;

const CASES = FLOWS.flatMap(([flow, title]) => endpoints(flow).map(([method, path]) => ({ method, path, title })));

type Envelope = { error: { id?: string; code: number; status: string; reason?: string; message: string } };

async function storedErrors(): Promise<number> {
  return app.db.selfServiceError.count();
}

describe("JSON request", () => {
  it.each(CASES)("$method $path → 400 self_service_flow_disabled envelope, nothing stored", async (c) => {
    const before = await storedErrors();
    const response = await app.fetch(c.path, {
      method: c.method,
      headers: { Accept: "application/json", ...(c.method === "POST" ? { "Content-Type": "application/json" } : {}) },
      body: c.method === "POST" ? JSON.stringify({ method: "code", email: "a@example.com" }) : undefined,
    });
    await expect(response).toHaveStatus(400);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(await response.json()).toEqual({
      error: {
        id: "self_service_flow_disabled",
        code: 400,
        status: "Bad Request",
        reason: `${c.title} is not allowed because it was disabled.`,
        message: "The request was malformed or contained invalid parameters",
      },
    } satisfies Envelope);
    expect(await storedErrors()).toBe(before);
  });

  it("a signed-in client gets the same answer (there is no settings flow to open)", async () => {
    const { client } = await signedInBrowser(app);
    const response = await client.getJson("/self-service/settings/browser");
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as Envelope).error.id).toBe("self_service_flow_disabled");
  });
});

describe("browser request", () => {
  it.each(CASES)("$method $path → 303 to ERROR_UI_URL with the flow's error, stored once for everyone", async (c) => {
    const visit = () =>
      new Client(app).request(c.path, {
        method: c.method,
        headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
        ...(c.method === "POST" ? { form: { method: "code", email: "a@example.com" } } : {}),
      });
    // The first visit of a kind may store it; after that, no visit writes anything.
    const first = new URL((await visit()).headers.get("location") ?? "");
    const before = await storedErrors();
    const response = await visit();
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const to = new URL(response.headers.get("location") ?? "");
    expect(to.origin + to.pathname).toBe(ERROR_UI);
    // The UI reads the error by id, as from Kratos.
    const stored = await app.fetch(`/self-service/errors?id=${to.searchParams.get("id")}`);
    await expect(stored).toHaveStatus(200);
    const body = (await stored.json()) as { id: string; error: Envelope["error"]; created_at: string };
    expect(body.id).toBe(to.searchParams.get("id"));
    expect(body.error).toMatchObject({
      id: "self_service_flow_disabled",
      code: 400,
      reason: `${c.title} is not allowed because it was disabled.`,
    });
    expect(Date.parse(body.created_at)).not.toBeNaN();
    expect(to.searchParams.get("id")).toBe(first.searchParams.get("id"));
    expect(await storedErrors()).toBe(before);
  });

  it("each flow has its own error id, the same on every visit", async () => {
    const ids = await Promise.all(
      ["settings", "recovery", "verification", "recovery"].map(async (flow) => {
        const response = await app.fetch(`/self-service/${flow}/browser`);
        return new URL(response.headers.get("location") ?? "").searchParams.get("id");
      }),
    );
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(ids[3]).toBe(ids[1]);
  });

  it("a prefetch → the envelope, no redirect", async () => {
    const response = await app.fetch("/self-service/recovery/browser", { headers: { "Sec-Purpose": "prefetch" } });
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as Envelope).error.id).toBe("self_service_flow_disabled");
  });
});

describe("other flow names", () => {
  it.each([
    ["GET", "/self-service/unknown/browser"],
    ["POST", "/self-service/nothing"],
  ])("%s %s → 404 envelope", async (method, path) => {
    const response = await app.fetch(path, { method, headers: { Accept: "application/json" } });
    await expect(response).toHaveStatus(404);
    expect(((await response.json()) as Envelope).error).toMatchObject({ code: 404, status: "Not Found" });
  });

  it("the flows we offer keep their own routes: GET /self-service/login/api → 200 flow", async () => {
    const response = await app.fetch("/self-service/login/api");
    await expect(response).toHaveStatus(200);
    expect(((await response.json()) as { type: string }).type).toBe("api");
  });
});
