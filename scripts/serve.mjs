#!/usr/bin/env node
// The one way the app's server is started: by `npm start`, `npm run dev`, the quick start, the tests,
// the benchmark, Playwright and the cluster script.
//
//   node scripts/serve.mjs [--migrate] [--reset-database] [--dev]
//
// --migrate applies pending migrations to DATABASE_URL first (`prisma migrate deploy`);
// --reset-database empties it and applies every migration (`prisma migrate reset`: test servers only);
// --dev serves with hot reload (`next dev` behind the same server.mjs, so answers carry the same headers).
// Configuration comes from the environment (see README); PORT and HOSTNAME choose where to listen.

import { execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

// V8 lets the heap grow lazily to several hundred MB on a machine with a lot of memory; the live set
// here is well under 100 MB, so a 192 MB old space keeps the process small at no cost in throughput
// (measured with `npm run bench`).
const NODE_ARGS = ["--max-old-space-size=192"];

/** Runs the Prisma CLI (it picks the schema and migrations by DATABASE_URL, see prisma.config.ts). */
export function prisma(args, env = process.env) {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  try {
    execFileSync(process.execPath, [cli, ...args], { cwd: projectRoot, env, stdio: "pipe", encoding: "utf8" });
  } catch (error) {
    throw new Error(`prisma ${args.join(" ")} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

/**
 * Starts server.mjs with `env` and resolves once it answers /health/alive. `output` is "pipe" (kept,
 * readable through logs()), "inherit", or a file descriptor.
 */
export async function startServer({ env = process.env, dev = false, output = "pipe", timeoutMs = 30_000 } = {}) {
  const args = [...NODE_ARGS, join(projectRoot, "server.mjs"), ...(dev ? ["--dev"] : [])];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", output, output],
  });
  let logs = "";
  child.stdout?.on("data", (chunk) => (logs += chunk));
  child.stderr?.on("data", (chunk) => (logs += chunk));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const host = env.HOSTNAME && env.HOSTNAME !== "0.0.0.0" ? env.HOSTNAME : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT ?? 3000}`;

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it answered:\n${logs}`);
    }
    try {
      if ((await fetch(`${url}/health/alive`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the server did not answer within ${timeoutMs} ms:\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const signal = async (name) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    url,
    pid: child.pid,
    logs: () => logs,
    exited,
    /** Sends a signal (SIGKILL for fault tests) and resolves when the process has exited. */
    kill: signal,
    /** A graceful stop: in-flight requests finish first. */
    stop: () => signal("SIGTERM"),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const flags = new Set(process.argv.slice(2));
  if (flags.has("--reset-database")) prisma(["migrate", "reset", "--force"]);
  else if (flags.has("--migrate")) prisma(["migrate", "deploy"]);
  const server = await startServer({ dev: flags.has("--dev"), output: "inherit", timeoutMs: 120_000 });
  // Ctrl-C and a supervisor's SIGTERM reach the server, which finishes in-flight requests and exits.
  for (const name of ["SIGINT", "SIGTERM"]) process.once(name, () => void server.kill(name));
  const { code, signal } = await server.exited;
  process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
}
