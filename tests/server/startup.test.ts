// Bad configuration stops the production server at start, with a message naming the variable.

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

function startWith(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["server.mjs"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "3998",
        HOSTNAME: "127.0.0.1",
        DATABASE_URL: "file::memory:",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

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
    [{ COOKIE_SECRET: SECRET, WEBHOOK_URLS: "https://hooks.example.com/" }, "WEBHOOK_SECRET must be set"],
    [
      { COOKIE_SECRET: SECRET, WEBHOOK_URLS: "https://hooks.example.com/", WEBHOOK_SECRET: "whsec_tooshort" },
      "WEBHOOK_SECRET must encode 24 to 64 bytes, got 6",
    ],
    [
      { COOKIE_SECRET: SECRET, WEBHOOK_URLS: "hooks.example.com/logout", WEBHOOK_SECRET: WEBHOOK_SECRET },
      "WEBHOOK_URLS contains an entry that is not an absolute URL",
    ],
  ])("%j stops the server: %s", async (env, message) => {
    const { code, output } = await startWith(env);
    expect(code).toBe(1);
    expect(output).toContain(`Invalid configuration: ${message}`);
    expect(output).not.toContain("Listening on");
  });
});
