// Re-authentication (`refresh=true`), as Kratos does it for the password method: a signed-in user
// proves who they are again; the same session (id, token, cookie, logout URL) is refreshed:
// authenticated_at moves, authentication_methods grows, and no new session is created.

import { Configuration, FrontendApi, type LoginFlow, type UiNodeInputAttributes } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import type { LoginFlowJson, SessionJson } from "@/lib/server/kratos-json";
import {
  actionPath,
  Client,
  csrfTokenOf,
  inputNodes,
  NO_CACHE,
  register,
  registerNative,
  uniqueEmail,
} from "../support/client";

const PASSWORD = "correct horse battery staple";
const LOGIN_UI = "http://localhost:4455/login";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ LOGIN_UI_URL: LOGIN_UI });
});
afterAll(() => app.stop());

type Session = SessionJson;

/** The identifier a re-authentication flow is for (its hidden field). */
const identifierOf = (flow: LoginFlowJson) => String(inputNodes(flow).identifier?.attributes.value);

/** A browser that registered (and so is signed in), with its session row. */
async function signedInBrowser() {
  const client = new Client(app);
  const email = uniqueEmail("reauth");
  await expect(await register(client, email)).toHaveStatus(200);
  const session = await app.db.session.findFirstOrThrow({ where: { identity: { email } } });
  return { client, email, session, cookie: client.jar.get("ory_kratos_session")! };
}

async function refreshFlow(client: Client): Promise<LoginFlowJson> {
  const response = await client.getJson("/self-service/login/browser?refresh=true");
  await expect(response).toHaveStatus(200);
  return (await response.json()) as LoginFlowJson;
}

/** Lets the clock move, so a refreshed authenticated_at is measurably later. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

describe("GET /self-service/login/browser?refresh=true", () => {
  it("signed in, JSON → 200 refresh flow: Kratos's message, the identity's identifier hidden, password, Sign in", async () => {
    const { client, email } = await signedInBrowser();
    const flow = await refreshFlow(client);
    expect(flow.refresh).toBe(true);
    expect(flow.ui.messages).toEqual([
      { id: 1010003, text: "Please confirm this action by verifying that it is you.", type: "info" },
    ]);
    const nodes = inputNodes(flow);
    expect(Object.values(nodes).map((n) => [n.group, n.attributes.name, n.attributes.type])).toEqual([
      ["default", "csrf_token", "hidden"],
      ["default", "identifier", "hidden"],
      ["password", "password", "password"],
      ["password", "method", "submit"],
    ]);
    expect(nodes.identifier?.attributes.value).toBe(email);
    expect(nodes.identifier?.attributes.required).toBeUndefined();
    expect(nodes.identifier?.meta).toEqual({});
    expect(nodes.method?.meta.label).toEqual({ id: 1010001, text: "Sign in", type: "info" });
    const row = await app.db.selfServiceFlow.findUniqueOrThrow({ where: { id: flow.id } });
    expect(row.refresh).toBe(true);
  });

  it("signed in, browser → 303 to LOGIN_UI_URL?flow=<refresh flow>", async () => {
    const { client } = await signedInBrowser();
    const response = await client.request("/self-service/login/browser?refresh=true");
    await expect(response).toHaveStatus(303);
    const to = new URL(response.headers.get("location") ?? "");
    expect(to.origin + to.pathname).toBe(LOGIN_UI);
    const row = await app.db.selfServiceFlow.findUniqueOrThrow({ where: { id: to.searchParams.get("flow") ?? "" } });
    expect(row.refresh).toBe(true);
  });

  it("signed out → an ordinary login flow (refresh: false), as in Kratos", async () => {
    const flow = await refreshFlow(new Client(app));
    expect(flow.refresh).toBe(false);
    expect(flow.ui.messages).toBeUndefined();
    expect(inputNodes(flow).identifier?.attributes.type).toBe("text");
  });

  it.each(["false", "no", ""])("signed in with refresh=%j → still 400 session_already_available", async (value) => {
    const { client } = await signedInBrowser();
    const response = await client.getJson(`/self-service/login/browser?refresh=${value}`);
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as { error: { id: string } }).error.id).toBe("session_already_available");
  });

  it("refresh=true on a registration flow changes nothing: signed in → 400 session_already_available", async () => {
    const { client } = await signedInBrowser();
    const response = await client.getJson("/self-service/registration/browser?refresh=true");
    await expect(response).toHaveStatus(400);
  });
});

describe("POST /self-service/login?flow=<refresh flow>", () => {
  it("JSON → 200 {session}: the same session, authenticated_at and issued_at moved, a second authentication method, no new session", async () => {
    const { client, session: before, cookie } = await signedInBrowser();
    const oldLogoutUrl = (
      (await (await client.getJson("/self-service/logout/browser")).json()) as { logout_url: string }
    ).logout_url;
    const flow = await refreshFlow(client);
    await tick();
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: {
        method: "password",
        identifier: identifierOf(flow),
        password: PASSWORD,
        csrf_token: csrfTokenOf(flow),
      },
    });
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const body = (await response.json()) as { session: Session; session_token?: string };
    expect(body.session_token).toBeUndefined();
    expect(body.session.id).toBe(before.id);

    const after = await app.db.session.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.tokenHash).toBe(before.tokenHash);
    expect(after.active).toBe(true);
    expect(after.authenticatedAt.getTime()).toBeGreaterThan(before.authenticatedAt.getTime());
    expect(after.issuedAt.getTime()).toBe(after.authenticatedAt.getTime());
    expect(after.expiresAt.getTime()).toBeGreaterThan(before.expiresAt.getTime());
    expect(await app.db.session.count({ where: { identityId: before.identityId } })).toBe(1);
    expect(body.session.authenticated_at).toBe(after.authenticatedAt.toISOString());
    expect(body.session.authentication_methods).toEqual([
      { method: "password", aal: "aal1", completed_at: before.authenticatedAt.toISOString() },
      { method: "password", aal: "aal1", completed_at: after.authenticatedAt.toISOString() },
    ]);
    const flowRow = await app.db.selfServiceFlow.findUniqueOrThrow({ where: { id: flow.id } });
    expect(flowRow.state).toBe("passed_challenge");

    // The cookie is sealed anew for the longer life; the old one names the same session and still works.
    expect(client.jar.get("ory_kratos_session")).toBeDefined();
    const whoami = await app.fetch("/sessions/whoami", { headers: { cookie: `ory_kratos_session=${cookie}` } });
    await expect(whoami).toHaveStatus(200);
    const seen = (await whoami.json()) as SessionJson;
    expect(seen.id).toBe(before.id);
    expect(seen.authenticated_at).toBe(after.authenticatedAt.toISOString());
    // So does a logout URL issued before.
    const logout = await client.request(new URL(oldLogoutUrl).pathname + new URL(oldLogoutUrl).search, {
      headers: { Accept: "application/json" },
    });
    await expect(logout).toHaveStatus(204);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: before.id } })).active).toBe(false);
  });

  it("form → 303 to the return URL with the session cookie; the same session", async () => {
    const { client, session: before } = await signedInBrowser();
    const flow = await refreshFlow(client);
    await tick();
    const response = await client.request(actionPath(flow), {
      form: {
        method: "password",
        identifier: identifierOf(flow),
        password: PASSWORD,
        csrf_token: csrfTokenOf(flow),
      },
    });
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe(`${app.url}/`);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("ory_kratos_session="))).toBe(true);
    const after = await app.db.session.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.authenticatedAt.getTime()).toBeGreaterThan(before.authenticatedAt.getTime());
    expect(await app.db.session.count({ where: { identityId: before.identityId } })).toBe(1);
  });

  it("a wrong password → 400 flow with 4000006; the session is untouched", async () => {
    const { client, session: before } = await signedInBrowser();
    const flow = await refreshFlow(client);
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: {
        method: "password",
        identifier: identifierOf(flow),
        password: "wrong password!",
        csrf_token: csrfTokenOf(flow),
      },
    });
    await expect(response).toHaveStatus(400);
    const body = (await response.json()) as LoginFlowJson;
    expect(body.refresh).toBe(true);
    expect(body.ui.messages?.map((m) => m.id)).toEqual([4000006]);
    expect(await app.db.session.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);
  });

  it("another account's correct credentials → 400 4000006; neither session changes, no session is created", async () => {
    const other = uniqueEmail("other");
    await registerNative(app, other);
    const sessionsBefore = await app.db.session.count();
    const { client, session: before } = await signedInBrowser();
    const flow = await refreshFlow(client);
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", identifier: other, password: PASSWORD, csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as LoginFlowJson).ui.messages?.map((m) => m.id)).toEqual([4000006]);
    expect(await app.db.session.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);
    expect(await app.db.session.count()).toBe(sessionsBefore + 1); // the browser's own registration
  });

  it("after the session ended, the refresh flow signs in as an ordinary login (a new session), as in Kratos", async () => {
    const { client, session: before } = await signedInBrowser();
    const flow = await refreshFlow(client);
    await app.db.session.update({ where: { id: before.id }, data: { active: false } });
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: {
        method: "password",
        identifier: identifierOf(flow),
        password: PASSWORD,
        csrf_token: csrfTokenOf(flow),
      },
    });
    await expect(response).toHaveStatus(200);
    const { session } = (await response.json()) as { session: SessionJson };
    expect(session.id).not.toBe(before.id);
    expect(session.authentication_methods).toHaveLength(1);
  });
});

describe("native apps (X-Session-Token)", () => {
  it("GET /self-service/login/api?refresh=true → refresh flow; submitting it → 200 with the same token and session", async () => {
    const email = uniqueEmail("native-reauth");
    const { session_token, session } = await registerNative(app, email);
    const before = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    const headers = { "X-Session-Token": session_token };
    const init = await app.fetch("/self-service/login/api?refresh=true", { headers });
    await expect(init).toHaveStatus(200);
    const flow = (await init.json()) as LoginFlowJson;
    expect(flow).toMatchObject({ type: "api", refresh: true });
    expect(Object.keys(inputNodes(flow))).toEqual(["identifier", "password", "method"]);
    await tick();
    const response = await app.fetch(actionPath(flow), {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ method: "password", identifier: email, password: PASSWORD }),
    });
    await expect(response).toHaveStatus(200);
    const body = (await response.json()) as { session_token: string; session: SessionJson };
    expect(body.session_token).toBe(session_token);
    expect(body.session.id).toBe(session.id);
    expect(response.headers.getSetCookie()).toEqual([]);
    const after = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(after.authenticatedAt.getTime()).toBeGreaterThan(before.authenticatedAt.getTime());
    expect(await app.db.session.count({ where: { identityId: before.identityId } })).toBe(1);
  });

  it("without refresh while signed in → still 400 session_already_available", async () => {
    const { session_token } = await registerNative(app, uniqueEmail("native"));
    const response = await app.fetch("/self-service/login/api", { headers: { "X-Session-Token": session_token } });
    await expect(response).toHaveStatus(400);
  });
});

describe("the SDK (@ory/client-fetch)", () => {
  /** A FrontendApi for a browser: cookies kept by `client`, JSON asked for, as Ory Elements does. */
  function browserSdk(client: Client) {
    const fetchApi: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = Object.fromEntries(new Headers(init?.headers));
      return client.request(url.pathname + url.search, {
        method: init?.method,
        headers,
        body: init?.body ?? undefined,
      });
    };
    return new FrontendApi(new Configuration({ basePath: app.url, fetchApi, headers: { Accept: "application/json" } }));
  }

  it("createBrowserLoginFlow({ refresh: true }) then updateLoginFlow → the same session, re-authenticated", async () => {
    const { client, session: before } = await signedInBrowser();
    const sdk = browserSdk(client);
    const flow: LoginFlow = await sdk.createBrowserLoginFlow({ refresh: true });
    expect(flow.refresh).toBe(true);
    const attributes = (name: string) =>
      flow.ui.nodes.map((n) => n.attributes as UiNodeInputAttributes).find((a) => a.name === name)!;
    await tick();
    const result = await sdk.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: attributes("identifier").value as string,
        password: PASSWORD,
        csrf_token: attributes("csrf_token").value as string,
      },
    });
    expect(result.session.id).toBe(before.id);
    expect(result.session.authenticated_at!.getTime()).toBeGreaterThan(before.authenticatedAt.getTime());
    expect((await sdk.toSession()).id).toBe(before.id);
  });

  it("createNativeLoginFlow({ refresh: true, xSessionToken }) → a refresh flow", async () => {
    const { session_token } = await registerNative(app, uniqueEmail("sdk-native"));
    const fetchApi: typeof fetch = (input, init) => app.fetch(input instanceof Request ? input.url : input, init);
    const sdk = new FrontendApi(new Configuration({ basePath: app.url, fetchApi }));
    const flow = await sdk.createNativeLoginFlow({ refresh: true, xSessionToken: session_token });
    expect(flow.refresh).toBe(true);
  });
});
