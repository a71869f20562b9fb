// The server: Next.js's own request handler behind a plain Node HTTP server, for what `next start`
// and `next dev` do not do: one log line per request, Kratos's exact `Vary: Cookie`, a literal "%"
// in malformed paths instead of Next's 500, and a graceful shutdown that lets in-flight logouts
// finish (their 204s are promises about the database) before the process exits, and a line for
// sign-in requests (whose routes are warmed at start) so that a flood of them cannot hold up
// anyone's whoami or logout. `--dev` serves the same way with Next's hot reload, so development
// answers carry the same headers as production.
//
// Start it through scripts/serve.mjs (`npm start`, `npm run dev`), which also sizes the heap.

import { createServer } from "node:http";
import next from "next";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? "0.0.0.0";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

/**
 * One line per request: time, method, path, status, duration. Only the path: query strings carry
 * logout tokens and flow ids, and nothing from headers (cookies, session tokens) or bodies
 * (passwords) is ever written.
 */
function logRequest(req, res, startedAt) {
  const path = (req.url ?? "/").split("?", 1)[0];
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  process.stdout.write(`${new Date().toISOString()} ${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms\n`);
}

/**
 * Next.js answers 500 when a path is not valid percent-encoded UTF-8 (its router throws while
 * decoding a dynamic segment). Such a path's "%" signs are taken literally instead, so the route
 * (or Next's 404) answers it like any other unknown value.
 */
function withLiteralPercentSigns(url) {
  const [path, ...query] = url.split("?");
  try {
    decodeURIComponent(path);
    return url;
  } catch {
    return [path.replaceAll("%", "%25"), ...query].join("?");
  }
}

/**
 * Self-service answers say `Vary: Cookie` (and `Origin` when CORS applies; lib/http/), as Kratos's
 * do. Next.js puts its client-router headers (rsc, next-router-state-tree, …) in front of Vary on
 * every app route; a JSON route handler's answer does not depend on them, so where the app said
 * Cookie, Next's entries are taken off again. Pages keep Next's Vary.
 */
function keepVaryCookie(res) {
  const writeHead = res.writeHead;
  res.writeHead = function (...args) {
    const entries = String(res.getHeader("vary") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.some((entry) => entry.toLowerCase() === "cookie")) {
      res.setHeader("vary", entries.filter((entry) => !/^(rsc|next-)/i.test(entry)).join(", "));
    }
    return writeHead.apply(this, args);
  };
}

/**
 * Sign-in and registration requests start one at a time, at least SIGN_IN_SPACING_MS apart; one
 * that comes sooner waits in line, and no other request ever waits for them. Each costs the event
 * loop about 10 ms (Next, Prisma, the answer) besides its password hash, which runs elsewhere, so 16
 * clients starting at once kept it busy for ~350 ms, and every whoami and logout that arrived
 * meanwhile waited for all of it (p99 ×5 on PostgreSQL). In line, a burst runs beside everyone else
 * instead of ahead of them. 25 ms apart, a burst takes at most about half of the event loop even
 * when a busy machine makes each request slower (10 ms apart, it still filled it). The pace (40
 * requests a second per process: 20 sign-ins, a flow and its submission each) is above what password
 * hashing serves on a small machine (lib/server/identities/password.ts), so there it only spreads
 * bursts out; more sign-ins a second than that take more instances. Refusing is for the rate limits.
 * A request whose client leaves while it waits leaves the line: it is never started and holds no one
 * up. The path is taken as Next.js routes it (dot segments resolved, absolute-form URLs), so no
 * spelling of it skips the line.
 */
const SIGN_IN = /^\/self-service\/(login|registration)(\/|$)/;
const SIGN_IN_SPACING_MS = 25;
/** Who waits, in order of arrival: each request's start, and its socket. */
const signInLine = new Map();
let lastSignInStart = -Infinity;
let nextTurn;

function routedPath(url) {
  try {
    return new URL(url, "http://localhost").pathname;
  } catch {
    return url;
  }
}

function startNextSignIn() {
  nextTurn = undefined;
  for (const [serve, socket] of signInLine) {
    signInLine.delete(serve);
    // Its client left before the server saw the request arrive, so no "close" came.
    if (socket.destroyed) continue;
    lastSignInStart = performance.now();
    if (signInLine.size > 0) nextTurn = setTimeout(startNextSignIn, SIGN_IN_SPACING_MS);
    serve();
    return;
  }
}

function inLine(req, res, serve) {
  if (!SIGN_IN.test(routedPath(req.url))) return serve();
  const now = performance.now();
  if (signInLine.size === 0 && now - lastSignInStart >= SIGN_IN_SPACING_MS) {
    lastSignInStart = now;
    return serve();
  }
  signInLine.set(serve, req.socket);
  res.once("close", () => signInLine.delete(serve));
  nextTurn ??= setTimeout(startNextSignIn, lastSignInStart + SIGN_IN_SPACING_MS - now);
}

const server = createServer((req, res) => {
  const startedAt = process.hrtime.bigint();
  res.once("finish", () => logRequest(req, res, startedAt));
  keepVaryCookie(res);
  req.url = withLiteralPercentSigns(req.url ?? "/");
  // Who the TCP peer is, for lib/http/client-address.ts to decide which forwarded headers to believe.
  // Always replaced: a client's own x-peer-address means nothing.
  req.headers["x-peer-address"] = req.socket.remoteAddress ?? "";
  inLine(req, res, () => handle(req, res));
});

/**
 * A route's first request costs the event loop about 200 ms on a 2-core machine (Next loads the
 * route, V8 compiles its code on first run), and every request that arrives meanwhile waits for it.
 * Sign-in is what a flood hits first, so its routes are warmed as soon as the server listens, with
 * requests that change nothing: an unknown flow, answered 404.
 */
async function warmSignInRoutes(origin) {
  const unknownFlow = "00000000-0000-0000-0000-000000000000";
  const json = { accept: "application/json", "content-type": "application/json" };
  for (const kind of ["login", "registration"]) {
    await (await fetch(`${origin}/self-service/${kind}/flows?id=${unknownFlow}`, { headers: json })).arrayBuffer();
    const submission = { method: "POST", headers: json, body: "{}" };
    await (await fetch(`${origin}/self-service/${kind}?flow=${unknownFlow}`, submission)).arrayBuffer();
  }
}

server.listen(port, hostname, () => {
  console.log(`Listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
  if (dev) return;
  const { address, port: listening } = server.address();
  const host = ["0.0.0.0", "::"].includes(address) ? "127.0.0.1" : address.includes(":") ? `[${address}]` : address;
  warmSignInRoutes(`http://${host}:${listening}`).catch((error) =>
    console.error(`warming the sign-in routes failed (only the first sign-ins are slower): ${error.message}`),
  );
});

function shutdown(signal) {
  console.log(`${signal} received: finishing in-flight requests`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
