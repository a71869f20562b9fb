import type { Ref } from "react";

/**
 * What a signed-out visitor sees: the home page's signed-out card, and the view a signed-in page
 * turns into when its session ends while it is open (session-watcher.tsx), where `message` says why.
 */
export function SignedOutView({ message, messageRef }: { message?: string; messageRef?: Ref<HTMLParagraphElement> }) {
  return (
    <section className="card narrow" data-testid="signed-out">
      <h1>You are signed out</h1>
      {message && (
        // Focused when it appears, so a screen reader says what happened (tabIndex -1: not a tab stop).
        <p className="message info" data-testid="signed-out-reason" tabIndex={-1} ref={messageRef}>
          {message}
        </p>
      )}
      <p className="muted">Sign in to see your session and try both ways of signing out.</p>
      <div className="actions">
        <a className="button" href="/login">
          Sign in
        </a>
        <a className="button secondary" href="/registration">
          Create an account
        </a>
      </div>
    </section>
  );
}
