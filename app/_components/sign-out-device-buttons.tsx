"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";

type Failure = string | undefined;

/**
 * Calls the sessions API, then re-renders the page on the server so the list shows what the
 * database now says. A cross-site page cannot do this with the user's cookie: DELETE needs a CORS
 * preflight this app never grants, and the SameSite=Lax cookie is not sent on cross-site fetches.
 */
function useRevocation(succeeded: (status: number) => boolean) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [working, setWorking] = useState(false);
  const [failure, setFailure] = useState<Failure>();

  async function revoke(path: string) {
    setWorking(true);
    setFailure(undefined);
    try {
      const response = await fetch(path, { method: "DELETE", headers: { Accept: "application/json" }, cache: "no-store" });
      // This device was signed out meanwhile (from another device, or it expired): nothing left to manage here.
      if (response.status === 401) return window.location.replace("/login");
      if (!succeeded(response.status)) throw new Error(`HTTP ${response.status}`);
      startRefresh(() => router.refresh());
    } catch (error) {
      setFailure(`That did not work (${error instanceof Error ? error.message : String(error)}). Please try again.`);
    } finally {
      setWorking(false);
    }
  }

  return { busy: working || refreshing, failure, revoke };
}

function Failure({ text }: { text: Failure }) {
  return (
    <p role="status" aria-live="polite" className={text ? "message error" : undefined} hidden={!text}>
      {text}
    </p>
  );
}

/** Signs out one other device. 404 means it is already gone, which is what the user wanted. */
export function SignOutDeviceButton({ sessionId, deviceName }: { sessionId: string; deviceName: string }) {
  const { busy, failure, revoke } = useRevocation((status) => status === 204 || status === 404);
  return (
    <div>
      <button
        type="button"
        className="button secondary"
        onClick={() => revoke(`/sessions/${encodeURIComponent(sessionId)}`)}
        disabled={busy}
        aria-busy={busy}
        aria-label={`Sign out ${deviceName}`}
      >
        {busy ? "Signing out…" : "Sign out"}
      </button>
      <Failure text={failure} />
    </div>
  );
}

/** Signs out every device but this one. */
export function SignOutEverywhereElseButton() {
  const { busy, failure, revoke } = useRevocation((status) => status === 200);
  return (
    <div>
      <button type="button" className="button" onClick={() => revoke("/sessions")} disabled={busy} aria-busy={busy}>
        {busy ? "Signing out…" : "Sign out everywhere else"}
      </button>
      <Failure text={failure} />
    </div>
  );
}
