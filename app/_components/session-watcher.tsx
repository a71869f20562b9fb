"use client";

import { useEffect } from "react";
import { announceSignedOut, onSignedOutElsewhere } from "./auth-channel";

/**
 * Mounted by the layout on every signed-in page, to keep it honest. It re-checks the session when
 * another tab signs out, when this tab becomes visible again, and when the browser restores the
 * page from its back/forward cache; once the session has ended, it leaves for the signed-out view.
 */
export function SessionWatcher() {
  useEffect(() => {
    const recheck = async () => {
      try {
        const response = await fetch("/sessions/whoami", {
          headers: { Accept: "application/json" },
          cache: "no-store",
        });
        // replace(), not assign(): the signed-in page must not stay in this tab's history.
        if (response.status === 401) window.location.replace("/");
      } catch {
        // Offline for a moment: the next visibility change or broadcast checks again.
      }
    };
    const unsubscribe = onSignedOutElsewhere(() => void recheck());
    const onVisibility = () => {
      if (document.visibilityState === "visible") void recheck();
    };
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) void recheck();
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pageshow", onPageShow);
    return () => {
      unsubscribe();
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pageshow", onPageShow);
    };
  }, []);
  return null;
}

/**
 * Mounted by the layout on every signed-out page, wherever a sign-out landed (its return_to may be
 * any page): tells the other tabs, whose SessionWatcher then checks for itself.
 */
export function SignedOutAnnouncer() {
  useEffect(() => announceSignedOut(), []);
  return null;
}
