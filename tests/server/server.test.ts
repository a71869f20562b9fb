// What server.mjs adds to Next.js, checked on the production server: Kratos's exact Vary, a literal
// "%" in malformed paths instead of a 500, HEAD that cannot log anyone out, and Next's own headers.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { logoutPath } from "../support/client";
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

  it("every answer carries the security headers from next.config.js, and no X-Powered-By", async () => {
    for (const path of ["/", "/health/alive", "/sessions/whoami"]) {
      const response = await app.fetch(path);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("x-powered-by"), path).toBeNull();
    }
  });
});
