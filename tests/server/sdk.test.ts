// The official Ory SDK (@ory/client-fetch, FrontendApi) against the app, unchanged but for basePath.

import {
  Configuration,
  FrontendApi,
  ResponseError,
  type LoginFlow,
  type UiNodeInputAttributes,
} from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { statusOf } from "../support/sdk";
import { CookieJar, uniqueEmail } from "../support/client";

let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp();
});
afterAll(() => app.stop());

const PASSWORD = "sdk-password-1234567";

/**
 * A FrontendApi whose fetch keeps cookies, as a browser would. Like Ory Elements, it asks for JSON
 * (browser-flow endpoints answer a plain browser request with a redirect to the UI instead).
 */
function browserSdk(jar = new CookieJar()) {
  const fetchApi: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const cookie = jar.header();
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    const response = await fetch(input, { ...init, headers, redirect: "manual" });
    jar.store(response);
    return response;
  };
  const configuration = new Configuration({ basePath: app.url, fetchApi, headers: { Accept: "application/json" } });
  return { sdk: new FrontendApi(configuration), jar };
}

const nativeSdk = () => new FrontendApi(new Configuration({ basePath: app.url }));

function csrfToken(flow: LoginFlow): string {
  const node = flow.ui.nodes.find((n) => (n.attributes as UiNodeInputAttributes).name === "csrf_token");
  return (node?.attributes as UiNodeInputAttributes).value as string;
}

async function nativeAccount() {
  const sdk = nativeSdk();
  const email = uniqueEmail("sdk");
  const registration = await sdk.createNativeRegistrationFlow();
  const registered = await sdk.updateRegistrationFlow({
    flow: registration.id,
    updateRegistrationFlowBody: { method: "password", password: PASSWORD, traits: { email } },
  });
  return { sdk, email, registered };
}

describe("@ory/client-fetch FrontendApi", () => {
  it("native registration → native login → toSession with the token", async () => {
    const { sdk, email, registered } = await nativeAccount();
    expect(registered.session_token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
    expect(registered.identity?.traits).toEqual({ email });

    const flow = await sdk.createNativeLoginFlow();
    expect(flow.type).toBe("api");
    expect(flow.ui.nodes.some((n) => (n.attributes as UiNodeInputAttributes).name === "csrf_token")).toBe(false);
    const login = await sdk.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: "password", identifier: email, password: PASSWORD },
    });
    expect(login.session_token).toMatch(/^ory_st_/);
    expect(login.session_token).not.toBe(registered.session_token);

    const session = await sdk.toSession({ xSessionToken: login.session_token });
    expect(session.id).toBe(login.session.id);
    expect(session.active).toBe(true);
    expect(session.identity?.traits).toEqual({ email });
    expect(session.authentication_methods?.[0]?.method).toBe("password");
  });

  it("browser login with a cookie jar → toSession with the cookie", async () => {
    const { email } = await nativeAccount();
    const { sdk, jar } = browserSdk();
    const flow = await sdk.createBrowserLoginFlow();
    expect(flow.type).toBe("browser");
    const result = await sdk.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: "password", identifier: email, password: PASSWORD, csrf_token: csrfToken(flow) },
    });
    expect(result.session.identity?.traits).toEqual({ email });
    expect(jar.get("ory_kratos_session")).toBeDefined();

    const session = await nativeSdk().toSession({ cookie: `ory_kratos_session=${jar.get("ory_kratos_session")}` });
    expect(session.id).toBe(result.session.id);
  });

  it("wrong password → the SDK sees a 400 with the flow and a message", async () => {
    const { sdk, email } = await nativeAccount();
    const flow = await sdk.createNativeLoginFlow();
    try {
      await sdk.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: "password", identifier: email, password: "wrong-password" },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ResponseError);
      const response = (error as ResponseError).response;
      await expect(response).toHaveStatus(400);
      const body = (await response.json()) as LoginFlow;
      expect(body.ui.messages?.[0]?.id).toBe(4000006);
    }
  });

  it("browser logout: createBrowserLogoutFlow → updateLogoutFlow (JSON) → toSession throws 401", async () => {
    const { email } = await nativeAccount();
    const { sdk, jar } = browserSdk();
    const flow = await sdk.createBrowserLoginFlow();
    await sdk.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: "password", identifier: email, password: PASSWORD, csrf_token: csrfToken(flow) },
    });
    const cookie = jar.header();

    const logout = await sdk.createBrowserLogoutFlow({ cookie, returnTo: `${app.url}/bye` });
    expect(new URL(logout.logout_url).searchParams.get("return_to")).toBe(`${app.url}/bye`);
    await expect(
      sdk.updateLogoutFlow({ token: logout.logout_token, cookie }, { headers: { Accept: "application/json" } }),
    ).resolves.toBeUndefined();
    expect(await statusOf(nativeSdk().toSession({ cookie }))).toBe(401);
  });

  it("createBrowserLogoutFlow without a session → 401", async () => {
    expect(await statusOf(nativeSdk().createBrowserLogoutFlow())).toBe(401);
  });

  it("performNativeLogout resolves, twice, and the token stops working", async () => {
    const { sdk, registered } = await nativeAccount();
    const token = registered.session_token!;
    await expect(
      sdk.performNativeLogout({ performNativeLogoutBody: { session_token: token } }),
    ).resolves.toBeUndefined();
    await expect(
      sdk.performNativeLogout({ performNativeLogoutBody: { session_token: token } }),
    ).resolves.toBeUndefined();
    expect(await statusOf(sdk.toSession({ xSessionToken: token }))).toBe(401);
  });

  it("performNativeLogout with an unknown token → 403", async () => {
    const status = await statusOf(
      nativeSdk().performNativeLogout({ performNativeLogoutBody: { session_token: `ory_st_${"Z".repeat(32)}` } }),
    );
    expect(status).toBe(403);
  });
});
