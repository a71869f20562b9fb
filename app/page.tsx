import { AjaxSignOutButton } from "@/app/_components/ajax-sign-out-button";
import { SessionWatcher, SignedOutAnnouncer } from "@/app/_components/session-watcher";
import { SignOutLink } from "@/app/_components/sign-out-link";
import { getCurrentSession } from "@/app/_server/current-session";

const formatDate = (date: Date) => date.toUTCString();

export default async function HomePage() {
  const session = await getCurrentSession();

  if (!session) {
    return (
      <section className="card narrow" data-testid="signed-out">
        <SignedOutAnnouncer />
        <h1>You are signed out</h1>
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

  return (
    <>
      <SessionWatcher />
      <section className="card" data-testid="signed-in">
        <h1>Signed in as {session.identity.email}</h1>
        <dl className="facts">
          <dt>Session</dt>
          <dd>
            <code>{session.id}</code>
          </dd>
          <dt>Signed in at</dt>
          <dd>{formatDate(session.authenticatedAt)}</dd>
          <dt>Expires at</dt>
          <dd>{formatDate(session.expiresAt)}</dd>
        </dl>
        <p>
          <a href="/sessions">Your devices and sessions</a>
        </p>
      </section>

      <div className="grid">
        <section className="card">
          <h2>Sign out with a link</h2>
          <p className="muted">
            A server component asks the domain code for a logout URL and renders it as a plain <code>&lt;a&gt;</code>.
            The browser follows it: <code>GET /self-service/logout?token=…</code> answers <code>303</code> to the
            return URL and clears the cookie. Works without JavaScript.
          </p>
          <p className="muted">
            Code: <code>app/_components/sign-out-link.tsx</code> → <code>createLogoutUrl</code> in{" "}
            <code>app/_server/logout.ts</code>
          </p>
          <SignOutLink />
        </section>
        <section className="card">
          <h2>Sign out with fetch</h2>
          <p className="muted">
            A client component fetches <code>/self-service/logout/browser</code>, then the <code>logout_url</code>, both
            with <code>Accept: application/json</code>; the server answers <code>204</code> and the page leaves for{" "}
            <code>/login</code> with a full navigation.
          </p>
          <p className="muted">
            Code: <code>app/_components/ajax-sign-out-button.tsx</code>
          </p>
          <AjaxSignOutButton />
        </section>
      </div>
    </>
  );
}
