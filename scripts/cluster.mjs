#!/usr/bin/env node
// `npm run cluster`: several instances of the app behind nginx, on the database DATABASE_URL names
// (PostgreSQL for real use; a shared SQLite file works too). Applies pending migrations once, starts
// INSTANCES instances (default 2) on the ports after PORT, nginx on PORT (default 3000), prints the
// URL, and stops everything on Ctrl-C. Every instance shares the environment: the same
// COOKIE_SECRET and PUBLIC_BASE_URL (the proxy's URL), and trusts the proxy's forwarded headers.
//
// Needs a production build (`npm run build`) and nginx (Debian: `apt-get install nginx`).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { prisma, startServer } from "./serve.mjs";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

function nginxBinary() {
  const candidates = ["/usr/sbin/nginx", ...(process.env.PATH ?? "").split(":").map((dir) => join(dir, "nginx"))];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error("nginx is not installed (Debian/Ubuntu: apt-get install -y nginx).");
  return found;
}

/** Starts nginx with deploy/nginx.conf.template rendered for these upstreams; resolves when it answers. */
export async function startProxy({ port, upstreams }) {
  const prefix = mkdtempSync(join(tmpdir(), "logout-nginx-"));
  for (const dir of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(prefix, dir));
  const config = readFileSync(join(projectRoot, "deploy/nginx.conf.template"), "utf8")
    .replaceAll("__PREFIX__", prefix)
    .replaceAll("__LISTEN__", `127.0.0.1:${port}`)
    .replaceAll(
      "__SERVERS__",
      upstreams.map((url) => `    server ${new URL(url).host} max_fails=1 fail_timeout=5s;`).join("\n"),
    );
  writeFileSync(join(prefix, "nginx.conf"), config);
  // As root, nginx's workers drop to an unprivileged user that must be able to use the prefix.
  if (process.getuid?.() === 0) spawn("chmod", ["-R", "a+rwx", prefix]);
  const child = spawn(nginxBinary(), ["-p", prefix, "-c", join(prefix, "nginx.conf")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/health/alive`);
      break;
    } catch {
      if (attempt > 100) throw new Error("nginx did not start listening");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGQUIT");
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/**
 * `instances` app servers (on `instancePorts`, by default port+1…port+n) with `env`, behind nginx on `port`. Each instance
 * can be killed and started again (`restart(i)`) on its port, as a supervisor would. `output` is where
 * the instances' logs go (see startServer).
 */
export async function startCluster({
  instances = 2,
  port = 3000,
  instancePorts = Array.from({ length: instances }, (_, i) => port + 1 + i),
  env = process.env,
  output = "pipe",
} = {}) {
  const publicUrl = env.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
  const instanceEnv = (i) => ({
    NODE_ENV: "production",
    ...env,
    PORT: String(instancePorts[i]),
    HOSTNAME: "127.0.0.1",
    PUBLIC_BASE_URL: publicUrl,
    TRUSTED_PROXIES: env.TRUSTED_PROXIES ?? "127.0.0.1, ::1",
  });
  const start = (i) => startServer({ env: instanceEnv(i), output });
  const servers = await Promise.all(Array.from({ length: instances }, (_, i) => start(i)));
  const proxy = await startProxy({ port, upstreams: servers.map((server) => server.url) }).catch(async (error) => {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  });
  return {
    url: proxy.url,
    servers,
    restart: async (i) => {
      await servers[i].kill("SIGKILL");
      servers[i] = await start(i);
      return servers[i];
    },
    stop: async () => {
      await proxy.stop();
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const instances = Number(process.env.INSTANCES ?? 2);
  const port = Number(process.env.PORT ?? 3000);
  if (!existsSync(join(projectRoot, ".next/BUILD_ID"))) {
    console.error("No production build: run `npm run build` first.");
    process.exit(1);
  }
  // Migrations run once, here, before any instance serves (two deploys at once would also apply
  // them once: Prisma takes a lock, see tools/schema-engine-wasm/README.md).
  prisma(["migrate", "deploy"]);
  const cluster = await startCluster({ instances, port, output: "inherit" });
  for (const [i, server] of cluster.servers.entries())
    console.log(`instance ${i + 1}: ${server.url} (pid ${server.pid})`);
  console.log(`\n${instances} instances behind nginx: ${cluster.url}  (Ctrl-C stops everything)\n`);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      await cluster.stop();
      process.exit(0);
    });
  }
}
