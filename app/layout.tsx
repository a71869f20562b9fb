import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Kratos-style logout", template: "%s · Kratos-style logout" },
  description: "A reference implementation of self-service logout, the way Ory Kratos does it.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <a href="/" className="brand">
            Kratos-style logout
          </a>
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
