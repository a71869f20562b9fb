// The browser's end of GET /sessions/events. One stream per browser rather than per tab: the tabs of
// a session queue for a Web Lock, the tab holding it keeps the stream open and passes what it hears
// on to the others (auth-channel.ts); when that tab closes, the next one takes over. A browser
// without Web Locks opens one stream per tab, which the server allows (up to 10 per session).

import type { LiveSessionEnding } from "./session-ending-description";

type Handlers = {
  /** The session ended: the stream said so. */
  ended: (ending: LiveSessionEnding) => void;
  /** The server refused the stream (401: the session ended; 429; a failure): it is not retried. */
  refused: () => void;
};

function parse(type: "session_revoked" | "session_expired", data: string): LiveSessionEnding {
  if (type === "session_expired") return { type };
  try {
    const { reason, by } = JSON.parse(data) as { reason?: unknown; by?: { user_agent?: unknown } | null };
    const userAgent = typeof by?.user_agent === "string" ? by.user_agent : "";
    return { type, reason: typeof reason === "string" ? reason : "", by: by ? { user_agent: userAgent } : null };
  } catch {
    return { type: "session_ended" };
  }
}

/** Listens to the session's events in one tab of this browser until stopped; returns the stop function. */
export function watchSessionEvents(sessionId: string, handlers: Handlers): () => void {
  if (typeof EventSource === "undefined") return () => {};
  const stop = new AbortController();
  // Resolves when this tab is stopped (it closes or navigates), which hands the lock to the next tab.
  // A stream that ended or was refused keeps the lock until the page goes away, even once stopped:
  // the session has ended (or the server is refusing streams), so no other tab should try again.
  const listen = () =>
    new Promise<void>((release) => {
      if (stop.signal.aborted) return release();
      let over = false;
      const source = new EventSource("/sessions/events");
      stop.signal.addEventListener(
        "abort",
        () => {
          source.close();
          if (!over) release();
        },
        { once: true },
      );
      for (const type of ["session_revoked", "session_expired"] as const) {
        source.addEventListener(type, (event) => {
          over = true;
          source.close();
          handlers.ended(parse(type, (event as MessageEvent<string>).data));
        });
      }
      source.addEventListener("error", () => {
        // A dropped connection is retried by EventSource itself (readyState CONNECTING); a refused
        // one is final (CLOSED): no retry loop, and the page's other checks carry on.
        if (source.readyState !== EventSource.CLOSED) return;
        over = true;
        handlers.refused();
      });
    });
  if (typeof navigator !== "undefined" && navigator.locks) {
    // Rejects with AbortError when stopped while still waiting for the lock: nothing to do then.
    navigator.locks.request(`session-events:${sessionId}`, { signal: stop.signal }, listen).catch(() => {});
  } else {
    void listen();
  }
  return () => stop.abort();
}
