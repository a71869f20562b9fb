// The pages, rendered by the production server: what a person sees at /sessions, on the sign-in form
// after a failed attempt, and on the error page of an expired logout link.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import {
  actionPath,
  Client,
  csrfTokenOf,
  register,
  signedInBrowser,
  signInNative,
  signInWithForm,
  uniqueEmail,
  type Flow,
} from "../support/client";

let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp({ LOGOUT_TOKEN_TTL: "1s" });
});
afterAll(() => app?.stop());

const PASSWORD = "correct horse battery staple";
const FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const html = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

describe("the devices page at /sessions (browser navigation)", () => {
  it("signed out → redirected to /login", async () => {
    const response = await app.fetch(`/sessions`, { headers: html });
    await expect(response).toHaveStatus(307);
    expect(new URL(response.headers.get("location")!, app.url).pathname).toBe("/login");
  });

  it("signed in → the page, not cacheable: this device marked, the other in words a person recognises", async () => {
    const client = new Client(app);
    const email = uniqueEmail("page");
    await register(client, email, PASSWORD);
    const other = await signInNative(app, email, PASSWORD, { "User-Agent": FIREFOX_ON_WINDOWS });

    const response = await client.request("/sessions", { headers: html });
    await expect(response).toHaveStatus(200);
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
});

describe("the sign-in form", () => {
  it("after a wrong password shows the message and keeps the identifier", async () => {
    const email = uniqueEmail();
    await expect(await register(new Client(app), email)).toHaveStatus(200);
    const client = new Client(app);
    const { flow, response } = await signInWithForm(client, email, "nope-nope-nope");
    await expect(response).toHaveStatus(303);
    const page = await (await client.request(`/login?flow=${flow.id}`)).text();
    expect(page).toContain("The provided credentials are invalid");
    expect(page).toContain(`value="${email}"`);
  });
});

describe("the sign-in form of a re-authentication flow", () => {
  it("says why, shows who, asks only for the password, and refreshes the same session", async () => {
    const client = new Client(app);
    const email = uniqueEmail();
    await expect(await register(client, email)).toHaveStatus(200);
    const before = await app.db.session.findFirstOrThrow({ where: { identity: { email } } });
    const init = await client.request("/self-service/login/browser?refresh=true", { headers: html });
    await expect(init).toHaveStatus(303);
    const location = init.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${app.url}/login\\?flow=`));
    const page = await (await client.request(location, { headers: html })).text();
    expect(page).toContain("Please confirm this action by verifying that it is you.");
    expect(page).toContain(`type="hidden" name="identifier" value="${email}"`);
    const flowId = new URL(location).searchParams.get("flow")!;
    const flow = (await (await client.getJson(`/self-service/login/flows?id=${flowId}`)).json()) as Flow;
    const response = await client.request(actionPath(flow), {
      form: { identifier: email, password: PASSWORD, method: "password", csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(303);
    const after = await app.db.session.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.authenticatedAt.getTime()).toBeGreaterThan(before.authenticatedAt.getTime());
    expect(await app.db.session.count({ where: { identityId: before.identityId } })).toBe(1);
  });
});

describe("a flow's page, opened by another browser", () => {
  it("does not show what the first browser typed: the other browser gets a flow of its own", async () => {
    const email = uniqueEmail("victim");
    await expect(await register(new Client(app), email)).toHaveStatus(200);
    const victim = new Client(app);
    const { flow } = await signInWithForm(victim, email, "a-wrong-password");
    expect(await (await victim.request(`/login?flow=${flow.id}`)).text()).toContain(email);

    for (const stranger of [new Client(app), await signedInBrowser(app).then(({ client }) => client)]) {
      const response = await stranger.request(`/login?flow=${flow.id}`);
      await expect(response).toHaveStatus(307);
      expect(new URL(response.headers.get("location")!, app.url).pathname).toBe("/self-service/login/browser");
      expect(await response.text()).not.toContain(email);
    }
  });
});

describe("the error page", () => {
  it("of a flow this app does not offer says so; visits after the first store nothing", async () => {
    await app.fetch("/self-service/recovery/browser", { headers: html });
    const before = await app.db.selfServiceError.count();
    const response = await app.fetch("/self-service/recovery/browser", { headers: html });
    await expect(response).toHaveStatus(303);
    const page = await (await app.fetch(response.headers.get("location")!, { headers: html })).text();
    expect(page).toContain("This is not available here");
    expect(page).toContain("account recovery and address verification are turned off");
    expect(await app.db.selfServiceError.count()).toBe(before);
  });

  it("says only what the app wrote, never text a link carried", async () => {
    const planted = "https://evil.example/Your-account-is-locked.Call-555-0100";
    const client = new Client(app);
    const init = await client.request(`/self-service/login/browser?return_to=${encodeURIComponent(planted)}`);
    await expect(init).toHaveStatus(303);
    const page = await (await client.request(init.headers.get("location")!)).text();
    expect(page).toContain("That return address is not allowed");
    expect(page).not.toContain("Your-account-is-locked");
    expect(page).not.toContain("evil.example");
  });

  it("of an expired logout link explains it and offers a fresh Sign Out link that works", async () => {
    const { client, session } = await signedInBrowser(app);
    const { logout_url } = (await (await client.getJson("/self-service/logout/browser")).json()) as {
      logout_url: string;
    };
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const browser = await client.request(logout_url);
    await expect(browser).toHaveStatus(303);
    const errorPage = await client.request(browser.headers.get("location")!);
    const text = await errorPage.text();
    expect(text).toContain("This link has expired");
    const fresh = /href="([^"]*\/self-service\/logout\?token=[^"]+)"/.exec(text)?.[1]?.replaceAll("&amp;", "&");
    expect(fresh).toBeDefined();
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(true);

    // The fresh link on the error page works.
    await expect(await client.request(fresh!)).toHaveStatus(303);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });
});
