"use client";

import { useEffect } from "react";
import { announceSignedOut, onSignedOutElsewhere } from "./auth-channel";

/**
 * Keeps a signed-in page honest. It re-checks the session when another tab signs out, when this
 * tab becomes visible again, and when the browser restores the page from its back/forward cache;
 * if the session has ended, it leaves for the signed-out view.
 */
export function SessionWatcher() {
  useEffect(() => {
    const recheck = async () => {
      const response = await fetch("/sessions/whoami", { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.status === 401) window.location.replace("/");
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

/** Rendered by the signed-out view: tells other tabs that this browser is signed out now. */
export function SignedOutAnnouncer() {
  useEffect(() => announceSignedOut(), []);
  return null;
}
