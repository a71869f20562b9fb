// ADMIN_API_TOKEN unset: the admin API does not exist. Every /admin path answers 404 to every
// method, whatever credential is sent, and changes nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { ADMIN_ENDPOINTS, ADMIN_TOKEN, asAdmin, DEACTIVATE } from "../support/admin";
import { identityApi, statusOf } from "../support/sdk";
import { signedIn, type SignedIn } from "../support/sessions";
import { NO_CACHE } from "../support/client";

let app: App;
let session: SignedIn;
beforeAll(async () => {
  app = await startInProcessApp();
  session = await signedIn();
});
afterAll(() => app.stop());

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

describe("ADMIN_API_TOKEN unset", () => {
  it("every admin endpoint, every method, with what would be the token → 404 in the envelope, nothing changed", async () => {
    const before = await app.database.fingerprint();
    const paths = [...new Set(ADMIN_ENDPOINTS(session.id, session.identityId).map(([, path]) => path))];
    for (const path of paths) {
      for (const method of METHODS) {
        const body = method === "PATCH" ? DEACTIVATE : undefined;
        const response = await app.fetch(path, {
          method,
          body,
          headers: asAdmin({ "content-type": "application/json" }),
        });
        await expect(response, `${method} ${path}`).toHaveStatus(404);
        expect(response.headers.get("cache-control")).toBe(NO_CACHE);
        expect(response.headers.get("set-cookie")).toBeNull();
        expect(response.headers.get("www-authenticate")).toBeNull();
        if (method !== "HEAD") {
          expect(await response.json()).toEqual({
            error: { code: 404, status: "Not Found", message: "The requested resource could not be found" },
          });
        }
      }
    }
    expect(await app.database.fingerprint()).toBe(before);
    expect(await app.fetch("/sessions/whoami", { headers: { "X-Session-Token": session.token } })).toHaveStatus(200);
  });

  // Deeper paths and /admin itself: tests/server/admin.test.ts (the in-process router matches one segment).
  it.each(["/admin/identities", "/admin/courier"])("a path the app does not serve, %s → 404", async (path) => {
    const response = await app.fetch(path, { headers: asAdmin() });
    await expect(response).toHaveStatus(404);
    expect(await response.json()).toMatchObject({ error: { code: 404 } });
  });

  it("a signed-in session's cookie or token → 404 too", async () => {
    await expect(await app.fetch("/admin/sessions", { headers: { cookie: session.cookie } })).toHaveStatus(404);
    await expect(await app.fetch("/admin/sessions", { headers: { "X-Session-Token": session.token } })).toHaveStatus(
      404,
    );
  });

  it("the SDK's IdentityApi → 404", async () => {
    const api = identityApi(app, { accessToken: ADMIN_TOKEN });
    expect(await statusOf(api.listSessions())).toBe(404);
    expect(await statusOf(api.deleteIdentitySessions({ id: session.identityId }))).toBe(404);
    expect(await statusOf(api.getIdentity({ id: session.identityId }))).toBe(404);
  });
});
