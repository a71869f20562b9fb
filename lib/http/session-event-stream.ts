// GET /sessions/events as Server-Sent Events: one stream per device, about that device's own
// session only. It sends `retry:`, a heartbeat comment every 20 s (proxies and load balancers close
// connections that stay silent for 30-60 s), and one event when the session ends, then closes:
//
//   id: 1764000000000
//   event: session_revoked
//   data: {"session_id":"…","reason":"revoked_by_user","revoked_at":"…","by":{"user_agent":"…"}}
//
//   event: session_expired
//   data: {"session_id":"…","expires_at":"…"}
//
// `by` is the device whose request ended the session (the user's own device, as their device list
// shows it), null when no session did (an operator). Never a token, never another session's id.
// Reconnecting needs no replay: a reconnect is authenticated like the first request, so a session
// that ended while the device was away is answered 401, and `Last-Event-ID` changes nothing.

import type { SessionEnding } from "@/lib/server/sessions/session-endings";
import { sessionWatch } from "@/lib/server/sessions/session-watch";
import { API_CONTENT_SECURITY_POLICY, NO_CACHE_HEADERS } from "./responses";

const HEARTBEAT_MS = 20_000;

/** How long a browser waits before reconnecting a dropped stream (an instance restarting). */
const RETRY_MS = 2_000;

const encoder = new TextEncoder();

/** The event for a session's end, in the stream's wire format. */
export function sessionEndedEvent(ending: SessionEnding): string {
  const data =
    ending.kind === "revoked"
      ? {
          session_id: ending.sessionId,
          reason: ending.reason,
          revoked_at: ending.endedAt.toISOString(),
          by: ending.by ? { user_agent: ending.by.userAgent ?? "" } : null,
        }
      : { session_id: ending.sessionId, expires_at: ending.endedAt.toISOString() };
  const type = ending.kind === "revoked" ? "session_revoked" : "session_expired";
  return `id: ${ending.endedAt.getTime()}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

// Every open stream of this process shares one heartbeat timer, running only while streams are
// open. At shutdown (SIGTERM, SIGINT) the streams are ended, so the server's graceful stop, which
// waits for every answer to finish, does not wait for them: their browsers reconnect elsewhere.
type OpenStream = { send: (bytes: Uint8Array) => void; close: () => void };
type OpenStreams = { streams: Set<OpenStream>; timer?: NodeJS.Timeout; closesAtShutdown?: true };
const slot = Symbol.for("kratos-logout-reference.open-event-streams");
const processWide = globalThis as unknown as { [slot]?: OpenStreams };
const open = (processWide[slot] ??= { streams: new Set() });
const HEARTBEAT = encoder.encode(": heartbeat\n\n");

function opened(stream: OpenStream): void {
  open.streams.add(stream);
  open.timer ??= setInterval(() => {
    for (const each of open.streams) each.send(HEARTBEAT);
  }, HEARTBEAT_MS);
  if (!open.closesAtShutdown) {
    open.closesAtShutdown = true;
    const closeAll = () => {
      for (const each of open.streams) each.close();
    };
    process.once("SIGTERM", closeAll);
    process.once("SIGINT", closeAll);
  }
}

function closed(stream: OpenStream): void {
  open.streams.delete(stream);
  if (open.streams.size === 0) {
    clearInterval(open.timer);
    open.timer = undefined;
  }
}

/**
 * The stream for an active session. Throws 429 (before anything is sent) when the session has
 * too many streams open in this process already.
 */
export function sessionEventStream(session: { id: string; expiresAt: Date }, signal: AbortSignal): Response {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  const stream: OpenStream = {
    send: (bytes) => {
      if (!done) controller.enqueue(bytes);
    },
    close: () => {
      if (done) return;
      done = true;
      unwatch();
      closed(stream);
      try {
        controller.close();
      } catch {
        // already cancelled by the client
      }
    },
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: stream.close,
  });
  // Called back asynchronously, never before this returns (the first check reads the database).
  const unwatch = sessionWatch().watch(session, (ending) => {
    stream.send(encoder.encode(sessionEndedEvent(ending)));
    stream.close();
  });
  stream.send(encoder.encode(`retry: ${RETRY_MS}\n\n`));
  opened(stream);
  signal.addEventListener("abort", stream.close, { once: true });
  return eventStreamResponse(body);
}

/** The stream's answer; without a body for HEAD, which opens no stream. */
export function eventStreamResponse(body: ReadableStream<Uint8Array> | null): Response {
  return new Response(body, {
    headers: {
      ...NO_CACHE_HEADERS,
      // no-transform: a compressing proxy (or Next's own gzip) would hold events back in its buffer.
      "Cache-Control": `${NO_CACHE_HEADERS["Cache-Control"]}, no-transform`,
      "Content-Type": "text/event-stream",
      // nginx buffers proxied answers unless told not to, which would hold the event back.
      "X-Accel-Buffering": "no",
      "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
    },
  });
}
