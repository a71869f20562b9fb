import type { Metadata, Viewport } from "next";
import { SessionWatcher, SignedOutAnnouncer } from "@/app/_components/session-watcher";
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
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <a href="/" className="brand">
            Kratos-style logout
          </a>
          <p className="who" data-testid="who">
            {session ? (
              <>
                Signed in as <strong>{session.identity.email}</strong>
              </>
            ) : (
              "Signed out"
            )}
          </p>
        </header>
        {/* Every page takes part in telling tabs apart from stale ones: see session-watcher.tsx. */}
        {session ? <SessionWatcher /> : <SignedOutAnnouncer />}
        <main id="main" className="page">
          {children}
        </main>
      </body>
    </html>
  );
}
