// What server.mjs adds to Next.js, checked on the production server: one log line per request with
// no secret in it, Kratos's exact Vary, a literal "%" in malformed paths instead of a 500, HEAD that
// cannot log anyone out, Next's own headers, and the line that sign-in requests wait in.

import { request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import {
  actionPath,
  Client,
  logoutPath,
  register,
  registerNative,
  signIn,
  uniqueEmail,
  type Flow,
} from "../support/client";
import { signedIn } from "../support/sessions";

let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp();
});
afterAll(() => app?.stop());

describe("server.mjs", () => {
  it("self-service answers say exactly `Vary: Cookie`, as Kratos's do", async () => {
    const { cookie } = await signedIn();
    for (const path of ["/sessions/whoami", "/self-service/logout/browser", "/self-service/login/api"]) {
      const response = await app.fetch(path, { headers: { cookie, accept: "application/json" } });
      expect(response.headers.get("vary"), path).toBe("Cookie");
    }
  });

  it.each([
    ["DELETE", "/sessions/%E0%A4%A", 400],
    ["DELETE", "/sessions/%zz", 400],
    ["GET", "/schemas/%FF%FE", 404],
  ])("%s %s (not valid percent-encoded UTF-8) → %i in the envelope, not Next's 500", async (method, path, status) => {
    const { token } = await signedIn();
    const response = await app.fetch(path, {
      method,
      headers: { accept: "application/json", "x-session-token": token },
    });
    await expect(response).toHaveStatus(status);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(status);
  });

  it("HEAD of a logout URL → 405, the session stays active (Next would otherwise run GET)", async () => {
    const session = await signedIn();
    const response = await app.fetch(await logoutPath(app, session.cookie), {
      method: "HEAD",
      headers: { cookie: session.cookie },
    });
    await expect(response).toHaveStatus(405);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(true);
  });

  it("every answer carries the security headers, and no X-Powered-By", async () => {
    for (const path of ["/", "/health/alive", "/sessions/whoami"]) {
      const response = await app.fetch(path);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=31536000");
      expect(response.headers.get("permissions-policy"), path).toMatch(/camera=\(\), microphone=\(\)/);
      expect(response.headers.get("x-powered-by"), path).toBeNull();
    }
    // A page: scripts only with this request's nonce; JSON: nothing runs at all.
    const page = await app.fetch("/");
    expect(page.headers.get("content-security-policy")).toMatch(
      /^default-src 'self'; script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic';.* frame-ancestors 'none'$/,
    );
    const json = await app.fetch("/sessions/whoami");
    expect(json.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("/_next/image is off: no resizing images on demand for anyone who asks", async () => {
    const response = await app.fetch("/_next/image?url=%2Fscreenshot-home.png&w=64&q=75");
    await expect(response).toHaveStatus(404);
  });

  it("logs one line per request and never a token, cookie or password", async () => {
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

  describe("sign-in requests wait in line, one every 25 ms; nothing else waits for them", () => {
    const newApiFlow = () => app.fetch("/self-service/login/api", { headers: { accept: "application/json" } });

    it("whoami and logout are answered while a burst of 100 new flows is still mostly waiting", async () => {
      const session = await signedIn();
      const logoutUrl = await logoutPath(app, session.cookie);
      let flowsAnswered = 0;
      const burstStart = performance.now();
      const burst = Array.from({ length: 100 }, () =>
        newApiFlow().then((response) => {
          flowsAnswered++;
          return response.status;
        }),
      );
      // At most one flow starts per 25 ms, so no more than that can have been answered by then.
      const mostFlowsBy = () => Math.floor((performance.now() - burstStart) / 25) + 1;
      await sleep(50);
      await expect(await app.fetch("/sessions/whoami", { headers: { cookie: session.cookie } })).toHaveStatus(200);
      expect(flowsAnswered).toBeLessThanOrEqual(mostFlowsBy());
      const logout = await app.fetch(logoutUrl, { headers: { cookie: session.cookie, accept: "application/json" } });
      await expect(logout).toHaveStatus(204);
      expect(flowsAnswered).toBeLessThanOrEqual(mostFlowsBy());
      expect(flowsAnswered).toBeLessThan(50);
      expect(await Promise.all(burst)).toEqual(Array(100).fill(200));
      expect(performance.now() - burstStart).toBeGreaterThanOrEqual(99 * 25);
      expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
    });

    it("a request whose client leaves while it waits is never started, and holds no one up", async () => {
      const flowsBefore = await app.db.selfServiceFlow.count();
      // Each on a connection of its own, closed by the client while the request waits.
      const { hostname, port } = new URL(app.url);
      const leaving = Array.from({ length: 100 }, () => {
        const request = httpRequest({
          host: hostname,
          port,
          path: "/self-service/login/api",
          headers: { accept: "application/json" },
          agent: false,
        });
        request.on("error", () => {});
        request.end();
        return request;
      });
      // By then the server has them all, and has started about 12: the rest wait in line.
      await sleep(300);
      for (const request of leaving) request.destroy();
      // Enough for the server to see them go, and to finish the flows it had started.
      await sleep(500);
      const flowsWhenTheyLeft = await app.db.selfServiceFlow.count();
      // Had they stayed in line, the next request would wait for every one of them.
      const askedAt = performance.now();
      await expect(await newApiFlow()).toHaveStatus(200);
      expect(performance.now() - askedAt).toBeLessThan(1_000);
      // Had they been started anyway, their flows would be stored by now.
      await sleep(2_000);
      expect(await app.db.selfServiceFlow.count()).toBe(flowsWhenTheyLeft + 1);
      expect(flowsWhenTheyLeft - flowsBefore).toBeLessThan(40);
    });
  });
});
