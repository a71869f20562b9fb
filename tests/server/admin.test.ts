// The admin API on the production server (issue 16): Next routes every /admin path, however deep,
// to the admin routes (404 with ADMIN_API_TOKEN unset, 401 without the token); the official SDK
// signs a user out everywhere and the receiver gets one signed event per session; the request log
// never shows the token; and `npm run admin` does the same from a shell.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
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

describe("npm run admin", () => {
  const run = promisify(execFile);
  async function cli(...args: string[]) {
    try {
      const { stdout } = await run("npm", ["run", "--silent", "admin", "--", ...args], {
        env: {
          ...process.env,
          DATABASE_URL: app.database.url,
          WEBHOOK_URLS: receiver.url,
          WEBHOOK_SECRET: receiver.secret,
        },
      });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  }

  // Each run starts npm and tsx: seconds apiece on a busy machine.
  it(
    "sessions lists them; revoke <session id>, revoke <email> and deactivate <email> end them everywhere and say so",
    { timeout: 120_000 },
    async () => {
      const email = `operator-${crypto.randomUUID()}@example.com`;
      const identity = await testIdentity(email);
      const [phone, laptop, tablet] = await signedInSessions(3, identity);

      const listed = await cli("sessions", email.toUpperCase());
      expect(listed.code).toBe(0);
      expect(listed.output).toContain(`${email} (identity ${identity.id}, active)`);
      for (const device of [phone!, laptop!, tablet!]) expect(listed.output).toContain(device.id);
      expect(listed.output).toContain("3 session(s), 3 still active.");
      expect((await cli("sessions", identity.id)).output).toContain("3 still active.");

      const one = await cli("revoke", phone!.id);
      expect(one).toEqual({
        code: 0,
        output: `Signed out session ${phone!.id} of ${email} (identity ${identity.id}, active).\n`,
      });
      expect(await whoamiStatus(app, { cookie: phone!.cookie })).toBe(401);
      expect(await whoamiStatus(app, { cookie: laptop!.cookie })).toBe(200);
      expect((await cli("revoke", phone!.id)).output).toContain("had ended already: nothing to do.");

      const all = await cli("revoke", email);
      expect(all.code).toBe(0);
      expect(all.output).toContain(`Signed out 2 session(s) of ${email}`);
      expect(await whoamiStatus(app, { cookie: laptop!.cookie })).toBe(401);
      expect(await whoamiStatus(app, { cookie: tablet!.cookie })).toBe(401);

      const [fresh] = await signedInSessions(1, identity);
      const deactivated = await cli("deactivate", email);
      expect(deactivated.code).toBe(0);
      expect(deactivated.output).toContain(
        `Deactivated ${email} (identity ${identity.id}, inactive): it can no longer sign in.`,
      );
      expect(deactivated.output).toContain(`Signed out 1 session(s) everywhere.\n  ${fresh!.id}`);
      expect(await whoamiStatus(app, { cookie: fresh!.cookie })).toBe(401);

      // The running server delivers what the CLI wrote: 1 + 2 revoked_by_admin, 1 identity_deactivated.
      const ids = new Set([phone!.id, laptop!.id, tablet!.id, fresh!.id]);
      const events = () => receiver.deliveredEvents().filter((event) => ids.has(String(event.event.data.session_id)));
      await receiver.waitFor("four events", () => events().length === 4);
      expect(
        events()
          .map(({ event }) => event.data.reason)
          .sort(),
      ).toEqual(["identity_deactivated", "revoked_by_admin", "revoked_by_admin", "revoked_by_admin"]);

      expect(await cli("revoke", "nobody@example.com")).toEqual({
        code: 1,
        output: 'No identity has the email address "nobody@example.com".\n',
      });
      expect((await cli("revoke", crypto.randomUUID())).code).toBe(1);
      expect((await cli("bogus", "x")).code).toBe(2);
    },
  );
});
