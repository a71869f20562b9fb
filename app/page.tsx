import { AjaxSignOutButton } from "@/app/_components/ajax-sign-out-button";
import { SignOutLink } from "@/app/_components/sign-out-link";
import { SignedOutView } from "@/app/_components/signed-out-view";
import { getCurrentSession } from "@/lib/http/current-session";

function Timestamp({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{date.toUTCString()}</time>;
}

// Rendered per request from the session cookie, so Next answers with Cache-Control: no-store and
// Back after sign-out fetches this page again instead of showing a stored copy.
export default async function HomePage() {
  const session = await getCurrentSession();

  if (!session) return <SignedOutView />;

  return (
    <div data-testid="signed-in">
      <section className="card" aria-labelledby="session-heading">
        <h1 id="session-heading">You are signed in</h1>
        <dl className="facts">
          <dt>Email</dt>
          <dd>{session.identity.email}</dd>
          <dt>Signed in at</dt>
          <dd>
            <Timestamp date={session.authenticatedAt} />
          </dd>
          <dt>Expires at</dt>
          <dd>
            <Timestamp date={session.expiresAt} />
          </dd>
          <dt>Session</dt>
          <dd>
            <code>{session.id}</code>
          </dd>
        </dl>
        <p>
          <a href="/sessions">Your devices and sessions</a>
        </p>
      </section>

      <h2 className="section-title">Two ways to sign out</h2>
      <div className="grid">
        <section className="card variant" aria-labelledby="link-heading">
          <h3 id="link-heading">With a link</h3>
          <p>
            A server component asks the domain code for a logout URL and renders it as a plain <code>&lt;a&gt;</code>{" "}
            (never a prefetching <code>&lt;Link&gt;</code>). The browser follows it:{" "}
            <code>GET /self-service/logout?token=…</code> clears the cookie and answers <code>303</code> to the return
            URL. Works without JavaScript.
          </p>
          <p className="code-path">
            <code>app/_components/sign-out-link.tsx</code> → <code>createLogoutUrl()</code> in{" "}
            <code>lib/server/logout/logout.ts</code>
          </p>
          <SignOutLink />
        </section>
        <section className="card variant" aria-labelledby="ajax-heading">
          <h3 id="ajax-heading">With fetch (AJAX)</h3>
          <p>
            A client component fetches <code>/self-service/logout/browser</code>, then the <code>logout_url</code>, both
            with <code>Accept: application/json</code>. The server answers <code>204</code> and the page leaves for{" "}
            <code>/login</code> with a full navigation. If a step fails, you stay here and it says why.
          </p>
          <p className="code-path">
            <code>app/_components/ajax-sign-out-button.tsx</code> → the two endpoints in{" "}
            <code>app/self-service/logout/</code>
          </p>
          <AjaxSignOutButton />
        </section>
      </div>

      <section className="card" aria-labelledby="return-to-heading">
        <h2 id="return-to-heading">Sign out and go somewhere specific</h2>
        <p>
          A page can choose where the browser lands after signing out: the logout URL carries a <code>return_to</code>,
          checked against the allowed return URLs both when the link is made and when it is used. This one switches
          accounts by landing on the sign-in form.
        </p>
        <pre>
          <code>{`<SignOutLink returnTo="/login">Sign out and switch account</SignOutLink>`}</code>
        </pre>
        <SignOutLink returnTo="/login" variant="secondary">
          Sign out and switch account
        </SignOutLink>
      </section>
    </div>
  );
}
