"use client";

import { useState } from "react";
import { announceSignedOut } from "./auth-channel";

type State = { status: "idle" } | { status: "working" } | { status: "failed"; message: string };

async function reasonOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { reason?: string; message?: string } };
    return body.error?.reason ?? body.error?.message ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

/**
 * The AJAX variant of Sign Out, as Kratos documents it for client-side apps:
 *   1. GET /self-service/logout/browser (Accept: application/json) → { logout_url }
 *   2. GET logout_url (Accept: application/json) → 204 No Content
 *   3. a full navigation to /login, so no signed-in view stays in memory.
 */
export function AjaxSignOutButton() {
  const [state, setState] = useState<State>({ status: "idle" });

  async function signOut() {
    setState({ status: "working" });
    try {
      const init: RequestInit = { headers: { Accept: "application/json" }, cache: "no-store" };
      const created = await fetch("/self-service/logout/browser", init);
      if (!created.ok) throw new Error(await reasonOf(created));
      const { logout_url } = (await created.json()) as { logout_url: string };
      // Same origin as this page: fetch the path, so the cookie goes along whichever host name
      // the page was opened with.
      const url = new URL(logout_url);
      const loggedOut = await fetch(url.pathname + url.search, init);
      if (loggedOut.status !== 204) throw new Error(await reasonOf(loggedOut));
      announceSignedOut();
      window.location.replace("/login");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      setState({ status: "failed", message: `Sign out did not complete: ${message}` });
    }
  }

  return (
    <div>
      <button
        type="button"
        className="button secondary"
        onClick={signOut}
        disabled={state.status === "working"}
        aria-busy={state.status === "working"}
        data-testid="ajax-sign-out"
      >
        {state.status === "working" ? "Signing out…" : "Sign out (AJAX)"}
      </button>
      <p role="status" aria-live="polite" className={state.status === "failed" ? "message error" : "muted"}>
        {state.status === "failed" ? state.message : ""}
      </p>
    </div>
  );
}
