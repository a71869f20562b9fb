/** The header of every page: who is signed in, if anyone. */
export function SiteHeader({ email }: { email?: string }) {
  return (
    <header className="site-header">
      <a href="/" className="brand">
        Kratos-style logout
      </a>
      <p className="who" data-testid="who">
        {email ? (
          <>
            Signed in as <strong>{email}</strong>
          </>
        ) : (
          "Signed out"
        )}
      </p>
    </header>
  );
}
