"use client";

import { useState } from "react";

/**
 * Calls the sessions API, then reloads the page, so the list is rendered again on the server from
 * what the database now says. A cross-site page cannot do this with the user's cookie: DELETE
 * needs a CORS preflight this app never grants, and the SameSite=Lax cookie stays home anyway.
 */
function useRevocation(succeeded: (status: number) => boolean) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  async function revoke(path: string) {
    setBusy(true);
    setFailure(undefined);
    try {
      const response = await fetch(path, {
        method: "DELETE",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      // This device was signed out meanwhile (from another device, or it expired): nothing left to manage here.
      if (response.status === 401) return window.location.replace("/login");
      if (!succeeded(response.status)) throw new Error(`HTTP ${response.status}`);
      // Stays busy until the reloaded page replaces this one.
      window.location.reload();
    } catch (error) {
      setFailure(`That did not work (${error instanceof Error ? error.message : String(error)}). Please try again.`);
      setBusy(false);
    }
  }

  return { busy, failure, revoke };
}

function FailureMessage({ text }: { text: string | undefined }) {
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
      <FailureMessage text={failure} />
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
      <FailureMessage text={failure} />
    </div>
  );
}
