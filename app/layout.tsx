import type { Metadata, Viewport } from "next";
import { SessionWatcher, SignedOutAnnouncer } from "@/app/_components/session-watcher";
import { SiteHeader } from "@/app/_components/site-header";
import { getCurrentSession } from "@/lib/http/current-session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Kratos-style logout", template: "%s · Kratos-style logout" },
  description: "A reference implementation of self-service logout, the way Ory Kratos does it.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The same per-request lookup the page makes (React cache), so this costs no extra query.
  const session = await getCurrentSession();
  const page = (
    <>
      <SiteHeader email={session?.identity.email} />
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        {/* Every page takes part in telling tabs apart from stale ones: see session-watcher.tsx. */}
        {session ? (
          <SessionWatcher sessionId={session.id}>{page}</SessionWatcher>
        ) : (
          <>
            <SignedOutAnnouncer />
            {page}
          </>
        )}
      </body>
    </html>
  );
}
