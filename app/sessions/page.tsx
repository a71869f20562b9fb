import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DeviceList } from "@/app/_components/device-list";
import { EndedSessionList } from "@/app/_components/ended-session-list";
import { SignOutEverywhereElseButton } from "@/app/_components/sign-out-device-buttons";
import { publicUrl } from "@/lib/server/config";
import { getCurrentSession } from "@/lib/http/current-session";
import { listOtherSessions } from "@/lib/server/sessions/my-sessions";
import { DEFAULT_PAGE_SIZE } from "@/lib/server/sessions/pagination";
import { listEndedSessions } from "@/lib/server/sessions/session-endings";

export const metadata: Metadata = { title: "Your devices" };

// Served at /sessions for browsers (see proxy.ts). Reading the session cookie makes this page
// dynamic, so Next answers it with Cache-Control: no-store: the back button after signing out
// cannot bring it back from a cache.
export default async function DevicesPage() {
  const current = await getCurrentSession();
  if (!current) redirect(publicUrl("/login").href);
  const [{ sessions: others, nextPageToken }, ended] = await Promise.all([
    listOtherSessions(current, { size: DEFAULT_PAGE_SIZE }),
    listEndedSessions(current),
  ]);

  return (
    <>
      <section className="card" data-testid="devices-page">
        <h1>Your devices</h1>
        <p className="muted">
          Where {current.identity.email} is signed in. If you do not recognise a device, sign it out: it will have to
          sign in again with your password.
        </p>
        <DeviceList current={current} others={others} />
        {nextPageToken && <p className="muted">Showing the {DEFAULT_PAGE_SIZE} most recent sign-ins.</p>}
        {others.length > 0 ? (
          <div className="actions">
            <SignOutEverywhereElseButton />
          </div>
        ) : (
          <p className="muted" data-testid="no-other-devices">
            You are not signed in anywhere else.
          </p>
        )}
      </section>
      {ended.length > 0 && (
        <section className="card" aria-labelledby="ended-heading">
          <h2 id="ended-heading">Recently signed out</h2>
          <p className="muted">Sessions of the last 30 days that have ended, and how.</p>
          <EndedSessionList sessions={ended} currentSessionId={current.id} />
        </section>
      )}
      <p>
        <a href="/">Back to your account</a>
      </p>
    </>
  );
}
