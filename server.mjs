// The production server: Next.js's own request handler behind a plain Node HTTP server, for two
// things `next start` does not do: one log line per request, and a graceful shutdown that lets
// in-flight logouts finish (their 204s are promises about the database) before the process exits.

import { createServer } from "node:http";
import next from "next";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME ?? "0.0.0.0";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const app = next({ dev: false, hostname, port });
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
 * Next.js answers 500 when a dynamic route segment is not valid percent-encoded UTF-8 (its router
 * throws while decoding it), so such paths are refused here with a 400 in the error envelope.
 */
function hasMalformedPath(req) {
  try {
    decodeURIComponent((req.url ?? "/").split("?", 1)[0]);
    return false;
  } catch {
    return true;
  }
}

const MALFORMED_PATH = JSON.stringify({
  error: {
    code: 400,
    status: "Bad Request",
    reason: "The request path is not valid percent-encoded UTF-8.",
    message: "The request was malformed or contained invalid parameters",
  },
});

const server = createServer((req, res) => {
  const startedAt = process.hrtime.bigint();
  res.once("finish", () => logRequest(req, res, startedAt));
  if (hasMalformedPath(req)) {
    res.writeHead(400, {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "private, no-cache, no-store, must-revalidate",
      Vary: "Cookie",
    });
    res.end(MALFORMED_PATH);
    return;
  }
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
