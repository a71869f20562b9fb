import { getCurrentSession } from "@/lib/http/current-session";
import { createLogoutUrl } from "@/lib/server/logout/logout";

type Props = {
  /** Where to land after signing out; must pass the return_to policy. Default: the logout default return URL. */
  returnTo?: string;
  variant?: "primary" | "secondary";
  children?: React.ReactNode;
};

/**
 * The server-rendered Sign Out link. It asks the same domain code as GET
 * /self-service/logout/browser for a logout URL (no HTTP round trip, no database write) and
 * renders a plain <a>: a prefetching <Link> would fetch the URL ahead of time and sign people out.
 */
export async function SignOutLink({ returnTo, variant = "primary", children = "Sign out" }: Props) {
  const session = await getCurrentSession();
  if (!session) return null;
  const { logout_url } = createLogoutUrl(session.id, returnTo);
  return (
    <a href={logout_url} className={variant === "secondary" ? "button secondary" : "button"}>
      {children}
    </a>
  );
}
