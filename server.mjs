// The server: Next.js's own request handler behind a plain Node HTTP server, for what `next start`
// and `next dev` do not do: one log line per request, Kratos's exact `Vary: Cookie`, a literal "%"
// in malformed paths instead of Next's 500, and a graceful shutdown that lets in-flight logouts
// finish (their 204s are promises about the database) before the process exits. `--dev` serves the
// same way with Next's hot reload, so development answers carry the same headers as production.
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

const server = createServer((req, res) => {
  const startedAt = process.hrtime.bigint();
  res.once("finish", () => logRequest(req, res, startedAt));
  keepVaryCookie(res);
  req.url = withLiteralPercentSigns(req.url ?? "/");
  // Who the TCP peer is, for lib/http/client-address.ts to decide which forwarded headers to believe.
  // Always replaced: a client's own x-peer-address means nothing.
  req.headers["x-peer-address"] = req.socket.remoteAddress ?? "";
  handle(req, res);
});

server.listen(port, hostname, () => {
  console.log(`Listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});

function shutdown(signal) {
  console.log(`${signal} received: finishing in-flight requests`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
