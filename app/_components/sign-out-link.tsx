import { getCurrentSession } from "@/app/_server/current-session";
import { createLogoutUrl } from "@/app/_server/logout";

/**
 * The server-rendered Sign Out link. It asks the same domain code as GET
 * /self-service/logout/browser for a logout URL (no HTTP round trip, no database write) and
 * renders a plain <a>: a prefetching <Link> would fetch the URL ahead of time and sign people out.
 */
export async function SignOutLink({ returnTo, children = "Sign out" }: { returnTo?: string; children?: React.ReactNode }) {
  const session = await getCurrentSession();
  if (!session) return null;
  const { logout_url } = createLogoutUrl(session, returnTo);
  return (
    <a href={logout_url} className="button" data-testid="sign-out-link">
      {children}
    </a>
  );
}
