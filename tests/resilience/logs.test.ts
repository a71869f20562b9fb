// One log line per request (method, path, status, duration), and no secret ever in the log:
// passwords, session tokens, sealed cookies, CSRF tokens, logout tokens (which travel in query
// strings) — driven through registration, logins, whoami and every kind of logout.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { actionPath, Client, register, registerNative, signIn, uniqueEmail, type Flow } from "../support/client";

let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp();
});
afterAll(() => app?.stop());

describe("request logs", () => {
  it("log one line per request and never a token, cookie or password", async () => {
    const secrets: string[] = [];
    const password = "log-test-password-Zq9x!";
    secrets.push(password);

    // Browser: register, sign out through the logout URL, sign in again, sign out with AJAX.
    const browser = new Client(app);
    const email = uniqueEmail("logs");
    await expect(await register(browser, email, password)).toHaveStatus(200);
    const firstSeal = browser.jar.get("ory_kratos_session")!;
    secrets.push(firstSeal, browser.jar.get("csrf_token")!);
    const whoami = await browser.getJson("/sessions/whoami");
    await expect(whoami).toHaveStatus(200);
    const { logout_url, logout_token } = (await (
      await browser.getJson("/self-service/logout/browser?return_to=/")
    ).json()) as {
      logout_url: string;
      logout_token: string;
    };
    secrets.push(logout_token);
    await expect(await browser.request(logout_url)).toHaveStatus(303);
    await expect(await browser.request(logout_url, { headers: { Accept: "application/json" } })).toHaveStatus(204);

    await expect(await signIn(browser, email, password)).toHaveStatus(200);
    secrets.push(browser.jar.get("ory_kratos_session")!);
    const second = (await (await browser.getJson("/self-service/logout/browser")).json()) as { logout_token: string };
    secrets.push(second.logout_token);
    await expect(await browser.getJson(`/self-service/logout?token=${second.logout_token}`)).toHaveStatus(204);
    // A forged token and a wrong password are logged as their status, nothing more.
    await expect(
      await browser.getJson(`/self-service/logout?token=${second.logout_token.slice(0, -2)}xx`),
    ).toHaveStatus(403);
    const wrongPassword = "wrong-password-Kp3v!";
    secrets.push(wrongPassword);
    await expect(await signIn(browser, email, wrongPassword)).toHaveStatus(400);

    // Native: register, sign in by API flow, use the token in every header, log out.
    const native = await registerNative(app, uniqueEmail("logs-native"), password);
    secrets.push(native.session_token);
    const apiFlow = (await (await app.fetch(`/self-service/login/api`)).json()) as Flow;
    const login = await new Client(app).request(actionPath(apiFlow), {
      json: { method: "password", identifier: email, password },
    });
    const { session_token } = (await login.json()) as { session_token: string };
    secrets.push(session_token);
    const credentials: Record<string, string>[] = [
      { "X-Session-Token": session_token },
      { Authorization: `Bearer ${session_token}` },
    ];
    for (const headers of credentials) {
      await expect(await app.fetch(`/sessions/whoami`, { headers })).toHaveStatus(200);
    }
    for (const token of [session_token, native.session_token]) {
      const response = await app.fetch(`/self-service/logout/api`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ session_token: token }),
      });
      await expect(response).toHaveStatus(204);
    }

    const logs = app.logs();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(encodeURIComponent(secret));
    }
    expect(logs).not.toMatch(/ory_st_|Fe26\.|token=|session_token|password=/);
    expect(logs).toMatch(/^\S+Z GET \/sessions\/whoami 200 \d+\.\dms$/m);
    expect(logs).toMatch(/^\S+Z GET \/self-service\/logout 303 \d+\.\dms$/m);
    expect(logs).toMatch(/^\S+Z DELETE \/self-service\/logout\/api 204 \d+\.\dms$/m);
    expect(logs).toMatch(/^\S+Z POST \/self-service\/login 400 \d+\.\dms$/m);
  });
});
