"use client";

import { useState, useSyncExternalStore } from "react";
import { announceSignedOut } from "./auth-channel";

type State =
  | { status: "idle" }
  | { status: "working"; step: string }
  | { status: "done" }
  | { status: "failed"; reason: string; signedIn: boolean | undefined };

type ErrorEnvelope = { error?: { id?: string; reason?: string; message?: string } };

/** Why a step failed, in words for the person who pressed the button. */
async function reasonOf(response: Response): Promise<string> {
  let error: ErrorEnvelope["error"];
  try {
    error = ((await response.json()) as ErrorEnvelope).error;
  } catch {
    // Not the error envelope (a proxy's error page, an empty body): the status is all there is.
  }
  if (response.status === 410) return "the sign-out link expired before it was used. Please try again.";
  if (response.status >= 500)
    return `the server had a problem (HTTP ${response.status}). Please try again in a moment.`;
  return error?.reason ?? error?.message ?? `the server answered HTTP ${response.status}.`;
}

class SignOutFailed extends Error {}

const noSubscription = () => () => {};

/** false in the server HTML, true once React has hydrated and the click handler is attached. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** true/false from /sessions/whoami; undefined when even that cannot be reached. */
async function stillSignedIn(init: RequestInit): Promise<boolean | undefined> {
  try {
    const response = await fetch("/sessions/whoami", init);
    return response.status === 401 ? false : response.ok ? true : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The AJAX variant of Sign Out, as Kratos documents it for client-side apps:
 *   1. GET /self-service/logout/browser (Accept: application/json) → { logout_url }
 *   2. GET logout_url (Accept: application/json) → 204 No Content
 *   3. a full navigation to /login, so no signed-in view stays in memory.
 * When it fails the user stays on this page and is told why, unless the session has ended anyway.
 */
export function AjaxSignOutButton({ children = "Sign out (AJAX)" }: { children?: React.ReactNode }) {
  const [state, setState] = useState<State>({ status: "idle" });
  const busy = state.status === "working" || state.status === "done";
  // Until hydration a click would do nothing; say so rather than swallow it. (Without JavaScript
  // it stays this way: the link variant is the one that works without it.)
  const hydrated = useHydrated();

  async function signOut() {
    if (busy || !hydrated) return;
    const init: RequestInit = {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    };
    try {
      setState({ status: "working", step: "Asking for a sign-out link…" });
      const created = await fetch("/self-service/logout/browser", init);
      if (!created.ok) throw new SignOutFailed(await reasonOf(created));
      const { logout_url } = (await created.json()) as { logout_url: string };

      setState({ status: "working", step: "Signing out…" });
      // Fetch the path on this page's origin, so the cookie goes along whichever host name the
      // page was opened with.
      const url = new URL(logout_url);
      const loggedOut = await fetch(url.pathname + url.search, init);
      if (loggedOut.status !== 204) throw new SignOutFailed(await reasonOf(loggedOut));
      leave();
    } catch (error) {
      // The session may have ended anyway (signed out in another tab, or the 204 was lost on the
      // way back): ask, so the page never claims a state that is not true.
      const signedIn = await stillSignedIn(init);
      if (signedIn === false) return leave();
      // fetch() rejects only when no answer arrived at all.
      const reason =
        error instanceof SignOutFailed
          ? error.message
          : "the server could not be reached. Check your connection and try again.";
      setState({ status: "failed", reason, signedIn });
    }
  }

  function leave() {
    setState({ status: "done" });
    announceSignedOut();
    // replace(), not assign(): Back must not return to this signed-in page.
    window.location.replace("/login");
  }

  return (
    <div className="ajax-sign-out">
      {/* aria-disabled instead of disabled: a disabled button drops keyboard focus mid-flight. */}
      <button type="button" className="button" onClick={signOut} aria-disabled={busy || !hydrated} aria-busy={busy}>
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Signing out…
          </>
        ) : (
          children
        )}
      </button>
      <p role="status" className="muted progress">
        {state.status === "working"
          ? state.step
          : state.status === "done"
            ? "Signed out. Opening the sign-in page…"
            : ""}
      </p>
      {state.status === "failed" && (
        <p role="alert" className="message error">
          Sign out did not complete: {state.reason}{" "}
          {state.signedIn ? "You are still signed in." : "We could not check whether you are still signed in."}
        </p>
      )}
    </div>
  );
}
