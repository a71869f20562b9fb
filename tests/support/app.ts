/// <reference types="vite/client" />
// The app under test, in one of two ways behind one interface:
//   startInProcessApp: the route handlers called directly with Request objects over a fresh
//     database, in this process: no build, no child process, milliseconds per request. For every
//     rule of the HTTP contract.
//   startServerApp: the production server (scripts/serve.mjs) over a fresh database, for what
//     needs a real server: the SDK, the curl scripts, server.mjs itself, faults and load.

import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { vi } from "vitest";
import { PEER_ADDRESS_HEADER } from "@/lib/http/client-address";
import type { PrismaClient } from "@/lib/server/database/client";
import { startServer } from "../../scripts/serve.mjs";
import { freshDatabase, type TestDatabase } from "./database";

export const TEST_COOKIE_SECRET = "test-cookie-secret-that-is-long-enough-0123456789";

export type App = {
  /** The app's public base URL (PUBLIC_BASE_URL). */
  url: string;
  /** fetch() against the app; a path is resolved against `url`. Redirects are never followed. */
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
  /** The app's database, for asserting rows. */
  db: PrismaClient;
  database: TestDatabase;
  stop: () => Promise<void>;
};

export type ServerApp = App & {
  /** The server process, for fault tests (SIGKILL) and memory samples (/proc/<pid>/status). */
  pid: number;
  /** Server output so far, for asserting what is (not) logged. */
  logs: () => string;
  kill: (signal: NodeJS.Signals) => Promise<void>;
};

/**
 * Sets these environment variables for this process and returns how to put back what they were:
 * a second app in a test file, stopped, leaves the first one's configuration as it was.
 */
function applyEnv(env: Record<string, string>): () => void {
  const previous = Object.entries(env).map(([name]) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

const baseEnv = (url: string, database: TestDatabase): Record<string, string> => ({
  DATABASE_URL: database.url,
  PUBLIC_BASE_URL: url,
  COOKIE_SECRET: TEST_COOKIE_SECRET,
  CLEANUP_INTERVAL: "0",
  // Test files sign in and register hundreds of times from one address; the tests of the limits
  // themselves (tests/routes/rate-limits.test.ts) turn them on.
  RATE_LIMITS: "off",
});

// ---------------------------------------------------------------------------------------------
// In-process

type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type RouteModule = Partial<Record<string, RouteHandler>>;
type Route = { pattern: RegExp; params: string[]; load: () => Promise<RouteModule> };
type LoadedRoute = Omit<Route, "load"> & { module: RouteModule };

const ROUTE_FILES = import.meta.glob<RouteModule>("/app/**/route.ts");
const PAGE_FILES = Object.keys(import.meta.glob("/app/**/page.tsx"));

type MatcherEntry = string | { source: string; missing?: { type: string; key: string }[] };

/** Whether a path is one proxy.ts's `config.matcher` names (exact paths; `missing` header conditions). */
function matches(entry: MatcherEntry, pathname: string, headers: Headers): boolean {
  if (typeof entry === "string") return entry === pathname;
  return entry.source === pathname && (entry.missing ?? []).every(({ key }) => !headers.has(key));
}

/** The request headers a proxy's `NextResponse.rewrite(url, { request: { headers } })` passes on. */
function requestHeadersAfter(answer: Response, headers: Headers): Headers {
  const overridden = answer.headers.get("x-middleware-override-headers");
  if (!overridden) return headers;
  const result = new Headers();
  for (const name of overridden.split(",")) {
    const value = answer.headers.get(`x-middleware-request-${name}`);
    if (value !== null) result.set(name, value);
  }
  return result;
}

/** `/app/sessions/[id]/route.ts` → /^\/sessions\/([^/]+)$/ with params ["id"]; static segments win. */
function routeTable(): Route[] {
  const routes = Object.entries(ROUTE_FILES).map(([file, load]) => {
    const segments = file
      .replace(/^\/app/, "")
      .replace(/\/route\.ts$/, "")
      .split("/")
      .filter((segment) => segment !== "" && !/^\(.*\)$/.test(segment));
    const params = segments.filter((s) => s.startsWith("[")).map((s) => s.slice(1, -1));
    const source = segments.map((s) => (s.startsWith("[") ? "/([^/]+)" : `/${s}`)).join("") || "/";
    return { pattern: new RegExp(`^${source}$`), params, load };
  });
  return routes.sort((a, b) => a.params.length - b.params.length);
}

function isPage(pathname: string): boolean {
  return PAGE_FILES.some(
    (file) => file.replace(/^\/app/, "").replace(/\/?page\.tsx$/, "") === pathname.replace(/\/$/, ""),
  );
}

/**
 * The route handlers of a fresh copy of the app, configured by `env` (on top of a test
 * configuration), over a fresh database, answering Requests in this process as Next.js would route
 * them: proxy.ts first, then the route's method export, HEAD by GET without a body, 405 for methods
 * a route does not export. Pages are rendered only by the real server (startServerApp, Playwright).
 */
export async function startInProcessApp(
  env: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<App> {
  const url = env.PUBLIC_BASE_URL ?? "http://127.0.0.1:4433";
  const database = options.database ?? (await freshDatabase());
  const restoreEnv = applyEnv({ ...baseEnv(url, database), ...env });
  // A new copy of every module, so the configuration is read from this environment.
  vi.resetModules();
  const { config } = await import("@/lib/server/config");
  config();
  const { db } = await import("@/lib/server/database/client");
  const { requestScope } = await import("./next-headers");
  const proxyModule = await import("@/proxy");
  const { NextRequest } = await import("next/server");
  // Every route now, while this configuration is in place: a module loaded later would be a new
  // copy reading whatever the environment holds then.
  const routes: LoadedRoute[] = await Promise.all(
    routeTable().map(async ({ load, ...route }) => ({ ...route, module: await load() })),
  );

  async function dispatch(request: Request): Promise<Response> {
    let pathname = new URL(request.url).pathname;
    // As Next does: the proxy runs for every matching path, again after each of its rewrites.
    while (proxyModule.config.matcher.some((entry) => matches(entry, pathname, request.headers))) {
      const answer = proxyModule.proxy(new NextRequest(request));
      const rewrite = answer.headers.get("x-middleware-rewrite");
      if (!rewrite) {
        if (answer.headers.has("x-middleware-next")) break;
        return answer;
      }
      pathname = new URL(rewrite).pathname;
      request = new Request(rewrite, {
        method: request.method,
        headers: requestHeadersAfter(answer, request.headers),
        body: request.body,
        // @ts-expect-error -- Node's fetch needs this for a streamed body
        duplex: "half",
      });
    }
    if (isPage(pathname)) throw new Error(`${pathname} is a page: test it against the real server`);
    const route = routes.find((r) => r.pattern.test(pathname));
    if (!route) return new Response("Not Found", { status: 404 });
    const { module } = route;
    const values = route.pattern.exec(pathname)!.slice(1).map(decodeURIComponent);
    const context = { params: Promise.resolve(Object.fromEntries(route.params.map((name, i) => [name, values[i]!]))) };
    const method = request.method.toUpperCase();
    const own = module[method];
    if (own) return own(request, context);
    if (method === "HEAD" && module.GET) {
      const response = await module.GET(request, context);
      return new Response(null, { status: response.status, headers: response.headers });
    }
    return new Response(null, { status: 405 });
  }

  return {
    url,
    db: db(),
    database,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      // What server.mjs tells the app about the TCP peer: the tests' client is local.
      headers.set(PEER_ADDRESS_HEADER, "127.0.0.1");
      // As Node's own fetch() sends it.
      if (!headers.has("user-agent")) headers.set("user-agent", "node");
      const request = new Request(new URL(input, url), { ...init, headers, redirect: "manual" });
      return requestScope.run(request, () => dispatch(request));
    },
    stop: async () => {
      restoreEnv();
      if (options.database) return;
      await db().$disconnect();
      await database.drop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Spawned production server

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The production server with a fresh database; `env` overrides configuration (e.g. LOGOUT_TOKEN_TTL). */
export async function startServerApp(
  env: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<ServerApp> {
  if (!existsSync(".next/BUILD_ID"))
    throw new Error("No production build found: run `npm run build` first (npm test does).");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const database = options.database ?? (await freshDatabase());
  const appEnv = { ...baseEnv(url, database), ...env };
  const server = await startServer({
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOSTNAME: "127.0.0.1", ...appEnv },
  });
  // This process's domain code (the session fixtures) sees the server's configuration and database.
  // It reads the configuration once: with two servers in a file, the fixtures serve the first.
  const restoreEnv = applyEnv(appEnv);
  const { createPrismaClient } = await import("@/lib/server/database/client");
  const db = createPrismaClient(database.url);
  return {
    url,
    db,
    database,
    fetch: (input, init) => fetch(new URL(input, url), { ...init, redirect: "manual" }),
    pid: server.pid,
    logs: server.logs,
    kill: async (signal) => void (await server.kill(signal)),
    stop: async () => {
      await db.$disconnect();
      await server.stop();
      restoreEnv();
      if (!options.database) await database.drop();
    },
  };
}
