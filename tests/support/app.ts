// Starts the production build (`next start`) on a free port with a fresh copy of the migrated
// template database, so integration tests exercise exactly what users and the SDK talk to.

import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createPrismaClient } from "@/app/_server/db";
import type { PrismaClient } from "@/app/_server/generated/prisma/client";

export const TEST_COOKIE_SECRET = "test-cookie-secret-that-is-long-enough-0123456789";

export type App = {
  url: string;
  db: PrismaClient;
  databaseFile: string;
  /** Server output so far, for asserting what is (not) logged. */
  logs: () => string;
  /** The server process, for fault tests (SIGKILL) and memory samples (/proc/<pid>/status). */
  pid: number;
  kill: (signal: NodeJS.Signals) => Promise<void>;
  stop: () => Promise<void>;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntilAlive(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/health/alive`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not become ready:\n${output()}`);
}

/** Starts the app with a fresh database; `env` overrides configuration (e.g. LOGOUT_TOKEN_TTL). */
export async function startApp(env: Record<string, string> = {}, options: { databaseFile?: string } = {}): Promise<App> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "logout-app-"));
  const databaseFile = options.databaseFile ?? join(dir, "app.db");
  if (!options.databaseFile) copyFileSync(inject("templateDatabase"), databaseFile);

  // Started exactly as `npm start` starts it.
  const child = spawn(process.execPath, ["--max-old-space-size=192", "server.mjs"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: `file:${databaseFile}`,
      PUBLIC_BASE_URL: url,
      COOKIE_SECRET: TEST_COOKIE_SECRET,
      CLEANUP_INTERVAL: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  await waitUntilAlive(url, child, () => output);

  const db = createPrismaClient(`file:${databaseFile}`);
  return {
    url,
    db,
    databaseFile,
    logs: () => output,
    pid: child.pid ?? 0,
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
    stop: async () => {
      await db.$disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      if (!options.databaseFile) rmSync(dir, { recursive: true, force: true });
    },
  };
}
