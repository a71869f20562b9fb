// Bad configuration stops the production server at start, with a message naming the variable.

import { describe, expect, it } from "vitest";
import { startServer } from "../../scripts/serve.mjs";
import { freePort } from "../support/app";

const SECRET = "0123456789abcdef0123456789abcdef";
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;

describe("start-up configuration checks", () => {
  it.each([
    [{}, "COOKIE_SECRET must be set in production"],
    [{ COOKIE_SECRET: "too-short" }, "COOKIE_SECRET must be at least 32 characters long"],
    [{ COOKIE_SECRET: SECRET, PUBLIC_BASE_URL: "localhost:3000" }, "PUBLIC_BASE_URL must be an http or https URL"],
    [{ COOKIE_SECRET: SECRET, LOGOUT_TOKEN_TTL: "soon" }, "LOGOUT_TOKEN_TTL must be a positive duration"],
    [
      { COOKIE_SECRET: SECRET, ALLOWED_RETURN_URLS: "https://ok.example.com,not a url" },
      "ALLOWED_RETURN_URLS contains an entry",
    ],
    [{ COOKIE_SECRET: SECRET, TRUSTED_PROXIES: "proxy.internal" }, "TRUSTED_PROXIES must list IP addresses"],
    [{ COOKIE_SECRET: SECRET, DATABASE_POOL_SIZE: "0" }, "DATABASE_POOL_SIZE must be a whole number"],
    [{ COOKIE_SECRET: SECRET, WEBHOOK_URLS: "https://hooks.example.com/" }, "WEBHOOK_SECRET must be set"],
    [
      { COOKIE_SECRET: SECRET, WEBHOOK_URLS: "https://hooks.example.com/", WEBHOOK_SECRET: "whsec_tooshort" },
      "WEBHOOK_SECRET must encode 24 to 64 bytes, got 6",
    ],
    [
      { COOKIE_SECRET: SECRET, WEBHOOK_URLS: "hooks.example.com/logout", WEBHOOK_SECRET: WEBHOOK_SECRET },
      "WEBHOOK_URLS contains an entry that is not an absolute URL",
    ],
    [
      { COOKIE_SECRET: SECRET, ADMIN_API_TOKEN: "an-admin-token-too-short" },
      "ADMIN_API_TOKEN must be at least 32 characters long, got 24",
    ],
  ])("%j stops the server: %s", async (env, message) => {
    const start = startServer({
      env: {
        ...process.env,
        COOKIE_SECRET: "",
        NODE_ENV: "production",
        PORT: String(await freePort()),
        HOSTNAME: "127.0.0.1",
        DATABASE_URL: "file::memory:",
        ...env,
      },
    });
    const error = await start.then(
      async (server) => {
        await server.stop();
        return new Error("the server started");
      },
      (refused: Error) => refused,
    );
    expect(error.message).toMatch(/^the server exited \(1\) before it answered/);
    expect(error.message).toContain(`Invalid configuration: ${message}`);
    expect(error.message).not.toContain("Listening on");
  });
});
