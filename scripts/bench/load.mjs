// The two ways `npm run bench` loads a server.
//
// saturate(): autocannon with N connections, each sending its next request as soon as the answer
// arrives: the server's throughput, and latency that is mostly queueing (p99 ≈ connections ÷ throughput).
//
// paced(): an open loop at a fixed offered rate, one request every 1/rate seconds on whichever
// keep-alive connection is free (at most N), each timed from the moment it was due, so a server
// that falls behind shows as growing latency instead of a lower rate (no coordinated omission).
// Below saturation this latency is the request's own. autocannon's `overallRate` is not used for
// this: it gives each connection a per-second quota that all connections spend at full speed at the
// start of the same second, so half the rate means full-speed bursts half of the time, and its p99
// stays a queueing figure (see the README's Performance section).
//
// A request is { method, path, headers, body } or, for requests that differ every time (a fresh
// session per logout), a function returning one. paced() can tell the caller when each answer
// arrived (`onAnswer(request, status, at)`, `at` on performance.now()'s clock), for measurements
// that start at the answer (a webhook event's delivery); the request may carry fields of its own.
//
// The checks also need single requests (requestOnce) and to wait for something to happen (until).

import autocannon from "autocannon";
import { Agent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { percentile } from "./statistics.mjs";

/** Runs autocannon for `duration` seconds; `request` as above. */
export async function saturate(url, { request, connections, duration }) {
  const spec =
    typeof request === "function"
      ? { setupRequest: (base) => ({ ...base, ...withBody(request()) }) }
      : { ...withBody(request) };
  const result = await autocannon({ url, connections, duration, requests: [spec] });
  const seconds = result.duration || duration;
  return {
    requests: result.requests.total,
    // Including those still unanswered when the time was up: the server works on them anyway.
    sent: result.requests.sent,
    seconds,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    errors: result.errors + result.timeouts,
  };
}

/** Offers `rate` requests per second for `duration` seconds over at most `connections` connections. */
export async function paced(url, { request, rate, duration, connections, onAnswer }) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.max(1, Math.round(rate * duration));
  const interval = 1000 / rate;
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let settled = 0;
  let allSettled;
  const done = new Promise((resolve) => (allSettled = resolve));
  const settle = () => {
    if (++settled === total) allSettled();
  };

  const send = (due, spec = typeof request === "function" ? request() : request) => {
    const { method = "GET", path, headers = {}, body } = spec;
    // node:http sends no Content-Length of its own for a DELETE's body.
    const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
    const req = httpRequest(
      { agent, host: target.hostname, port: target.port, method, path, headers: { ...headers, ...length } },
      (res) => {
        res.resume();
        res.on("end", () => {
          const at = performance.now();
          latencies.push(at - due);
          onAnswer?.(spec, res.statusCode, at);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          settle();
        });
      },
    );
    req.on("error", (error) => {
      // The server closed an idle keep-alive connection just as it was reused: sent again on a new
      // one, as browsers and fetch() do (Node's documented pattern), still timed from when it was due.
      if (req.reusedSocket && error.code === "ECONNRESET") return send(due, spec);
      errors++;
      settle();
    });
    req.end(body);
  };

  const start = performance.now() + 20;
  let sent = 0;
  while (sent < total) {
    // Everything due by now goes out (a late timer sends the missed requests at once, each still
    // timed from when it was due); then sleep until the next one is due.
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
    if (sent < total) await sleep(Math.max(0, start + sent * interval - performance.now()));
  }
  await done;
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    sent: total,
    seconds,
    offeredRps: rate,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    statuses,
    errors,
  };
}

/**
 * One request, on `agent` or else on a connection of its own (a kept-alive one may have been closed by
 * the server meanwhile): its status, body and when it was read (performance.now()'s clock).
 */
export function requestOnce(url, { method = "GET", headers = {}, body, agent = false } = {}) {
  return new Promise((resolve, reject) => {
    // node:http sends no Content-Length of its own for a DELETE's body.
    const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
    const req = httpRequest(url, { method, headers: { ...headers, ...length }, agent }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8"), at: performance.now() }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Resolves once `condition()` holds (checked every 10 ms) or `timeoutMs` have passed; whether it held. */
export async function until(condition, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

// autocannon wants no `body` key at all for a request without one; it sets Content-Length itself.
function withBody({ method = "GET", path, headers = {}, body }) {
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}
