// The curl scripts of the reference documents, run against the app with only the base URL and the
// credentials swapped.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { Client, register, registerNative, uniqueEmail } from "../support/client";

const run = promisify(execFile);
let app: ServerApp;
beforeAll(async () => {
  app = await startServerApp();
});
afterAll(() => app.stop());

describe("reference curl scripts", () => {
  it("browser: log in, whoami, get the logout URL, follow it, whoami again → null", async () => {
    const email = uniqueEmail("curl");
    const password = "curl-password-123456";
    await expect(await register(new Client(app), email, password)).toHaveStatus(200);

    const { stdout } = await run("bash", ["tests/server/reference/browser-logout.sh"], {
      env: { ...process.env, BASE_URL: app.url, USERNAME: email, PASSWORD: password },
    });
    const lines = stdout.trim().split("\n");
    const session = JSON.parse(lines.slice(0, -2).join("\n")) as {
      session: { id: string; identity: { traits: { email: string } } };
    };
    expect(session.session.identity.traits.email).toBe(email);
    expect(lines.at(-2)).toBe(session.session.id);
    expect(lines.at(-1)).toBe("null");
    const row = await app.db.session.findUniqueOrThrow({ where: { id: session.session.id } });
    expect(row.active).toBe(false);
  });

  it("native: DELETE /self-service/logout/api answers 204 with Kratos's headers", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail("curl"));
    const { stderr } = await run("bash", ["tests/server/reference/native-logout.sh"], {
      env: { ...process.env, BASE_URL: app.url, SESSION_TOKEN: session_token },
    });
    expect(stderr).toMatch(/< HTTP\/1\.1 204 No Content/);
    expect(stderr).toMatch(/< Cache-Control: private, no-cache, no-store, must-revalidate/i);
    expect(stderr).toMatch(/< Vary: Cookie/i);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });
});
