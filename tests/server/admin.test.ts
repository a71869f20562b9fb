// The admin API on the production server (issue 16): Next routes every /admin path, however deep,
// to the admin routes (404 with ADMIN_API_TOKEN unset, 401 without the token); the official SDK
// signs a user out everywhere and the receiver gets one signed event per session; the request log
// never shows the token. (`npm run admin`, the same from a shell: tests/server/operator-cli.test.ts.)

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { ADMIN_TOKEN, asAdmin } from "../support/admin";
import { whoamiStatus } from "../support/client";
import { identityApi } from "../support/sdk";
import { signedInSessions, testIdentity } from "../support/sessions";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

let receiver: WebhookReceiver;
let app: ServerApp;
let off: ServerApp;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  app = await startServerApp({
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    WEBHOOK_URLS: receiver.url,
    WEBHOOK_SECRET: receiver.secret,
  });
  // Empty is unset; and the first server's configuration is in this process's environment now.
  off = await startServerApp({ ADMIN_API_TOKEN: "" });
});
afterAll(async () => {
  await off?.stop();
  await app?.stop();
  await receiver?.down();
});

const PATHS = [
  "/admin",
  "/admin/sessions",
  `/admin/sessions/${crypto.randomUUID()}/extend`,
  `/admin/identities/${crypto.randomUUID()}/sessions`,
  `/admin/identities/${crypto.randomUUID()}/credentials/password`,
  "/admin/courier/messages",
  "/admin/a/b/c/d",
];

describe("routing of /admin paths by the real server", () => {
  it.each(PATHS)("ADMIN_API_TOKEN unset: %s → 404 for GET, DELETE and a preflight", async (path) => {
    for (const init of [
      { method: "GET", headers: asAdmin() },
      { method: "DELETE", headers: asAdmin() },
      { method: "OPTIONS", headers: { origin: "http://localhost:4455", "access-control-request-method": "GET" } },
    ]) {
      const response = await off.fetch(path, init);
      await expect(response, `${init.method} ${path}`).toHaveStatus(404);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it.each(PATHS)("ADMIN_API_TOKEN set: %s → 401 without the token", async (path) => {
    const response = await app.fetch(path);
    await expect(response).toHaveStatus(401);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(401);
  });

  it("ADMIN_API_TOKEN set: a path the app does not serve, however deep → 404 with the token", async () => {
    for (const path of ["/admin", "/admin/courier/messages", "/admin/a/b/c/d"]) {
      const response = await app.fetch(path, { headers: asAdmin() });
      await expect(response, path).toHaveStatus(404);
      expect(await response.json()).toEqual({
        error: { code: 404, status: "Not Found", message: "The requested resource could not be found" },
      });
    }
  });
});

describe("signing a user out everywhere through the SDK", () => {
  it("deleteIdentitySessions → every device 401 at once; one signed event each, reason revoked_by_admin", async () => {
    const identity = await testIdentity();
    const devices = await signedInSessions(3, identity);
    for (const device of devices) expect(await whoamiStatus(app, { cookie: device.cookie })).toBe(200);

    await identityApi(app, { accessToken: ADMIN_TOKEN }).deleteIdentitySessions({ id: identity.id });
    for (const device of devices) {
      expect(await whoamiStatus(app, { cookie: device.cookie })).toBe(401);
      expect(await whoamiStatus(app, { "X-Session-Token": device.token })).toBe(401);
    }

    const ids = new Set(devices.map((device) => device.id));
    const events = () => receiver.deliveredEvents().filter((event) => ids.has(String(event.event.data.session_id)));
    await receiver.waitFor("three events", () => events().length === 3);
    for (const { event } of events()) {
      expect(event).toMatchObject({
        type: "session.revoked",
        data: { identity_id: identity.id, reason: "revoked_by_admin", initiated_by_session_id: null },
      });
    }
    expect(receiver.rejected).toEqual([]);
  });

  it("the request log shows method, path and status, never the token", async () => {
    await app.fetch("/admin/sessions?page_size=1", { headers: asAdmin() });
    await app.fetch("/admin/sessions", { headers: { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -2)}zz` } });
    const logs = app.logs();
    expect(logs).toMatch(/GET \/admin\/sessions 200 /);
    expect(logs).toMatch(/GET \/admin\/sessions 401 /);
    expect(logs).not.toContain(ADMIN_TOKEN.slice(0, 20));
  });
});
