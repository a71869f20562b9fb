"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";
import { announceSessionEnded, announceSignedOut, onSessionEnded, onSignedOutElsewhere } from "./auth-channel";
import { watchSessionEvents } from "./live-session-events";
import { describeSignOutOfThisDevice, type LiveSessionEnding } from "./session-ending-description";
import { SignedOutView } from "./signed-out-view";
import { SiteHeader } from "./site-header";

/**
 * Wraps every signed-in page, to keep it honest. When the session ends while the page is open, the
 * page (header included) is replaced at once, in place, by the signed-out view saying why: nothing
 * private stays on screen, and there is no navigation that could loop. It learns of the end
 *   - live, from the session's event stream (GET /sessions/events; one per browser, see
 *     live-session-events.ts), with how it ended: "…by Firefox on Linux";
 *   - and, where there is no stream (no EventSource, the stream refused or failing), by asking
 *     /sessions/whoami when another tab signs out, when this tab becomes visible again, and when
 *     the browser restores the page from its back/forward cache.
 */
export function SessionWatcher({ sessionId, children }: { sessionId: string; children: ReactNode }) {
  const [ending, setEnding] = useState<LiveSessionEnding>();
  const messageRef = useRef<HTMLParagraphElement>(null);
  const stopEventsRef = useRef<() => void>(undefined);

  useEffect(() => {
    // The first word stays, unless a later one says more than "it ended".
    const end = (next: LiveSessionEnding) =>
      setEnding((current) => (current && current.type !== "session_ended" ? current : next));
    const recheck = async () => {
      try {
        const response = await fetch("/sessions/whoami", {
          headers: { Accept: "application/json" },
          cache: "no-store",
        });
        if (response.status === 401) end({ type: "session_ended" });
      } catch {
        // Offline for a moment: the next visibility change or broadcast checks again.
      }
    };
    const stopEvents = (stopEventsRef.current = watchSessionEvents(sessionId, {
      ended: (heard) => {
        end(heard);
        announceSessionEnded(sessionId, heard);
      },
      refused: () => void recheck(),
    }));
    const unsubscribeEnded = onSessionEnded(sessionId, end);
    const unsubscribeSignedOut = onSignedOutElsewhere(() => void recheck());
    const onVisibility = () => {
      if (document.visibilityState === "visible") void recheck();
    };
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) void recheck();
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pageshow", onPageShow);
    return () => {
      stopEvents();
      unsubscribeEnded();
      unsubscribeSignedOut();
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pageshow", onPageShow);
    };
  }, [sessionId]);

  useEffect(() => {
    if (!ending) return;
    messageRef.current?.focus();
    // Ended: this tab no longer needs (or waits for) the stream.
    stopEventsRef.current?.();
  }, [ending]);

  if (!ending) return children;
  return (
    <>
      <SiteHeader />
      <main id="main" className="page">
        <SignedOutView message={describeSignOutOfThisDevice(ending)} messageRef={messageRef} />
      </main>
    </>
  );
}

/**
 * Mounted by the layout on every signed-out page, wherever a sign-out landed (its return_to may be
 * any page): tells the other tabs, whose SessionWatcher then checks for itself.
 */
export function SignedOutAnnouncer() {
  useEffect(() => announceSignedOut(), []);
  return null;
}
