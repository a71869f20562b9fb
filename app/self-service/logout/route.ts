import { config } from "@/lib/server/config";
import { performBrowserLogout } from "@/lib/server/logout/logout";
import { rotatedCsrfToken } from "@/lib/http/csrf-cookie";
import { getCurrentCredential } from "@/lib/http/current-session";
import { isHttpsRequest } from "@/lib/http/client-address";
import { isJsonRequest, isPrefetch } from "@/lib/http/negotiation";
import { handler } from "@/lib/http/handler";
import { noContent, seeOther } from "@/lib/http/responses";
import { clearedSessionCookie } from "@/lib/http/session-cookie";

/** GET /self-service/logout?token=…&return_to=… — browser logout: 204 for JSON requests, else 303. */
export const GET = handler(
  async (request) => {
    const query = new URL(request.url).searchParams;
    const credential = await getCurrentCredential();
    const { returnTo, revoked } = await performBrowserLogout({
      prefetch: isPrefetch(request.headers),
      token: query.get("token"),
      returnTo: query.get("return_to"),
      sessionToken: credential?.token,
    });
    const cookies = [
      // Whatever session cookie the request carried names an ended session now: clear it.
      ...(credential?.source === "cookie" ? [clearedSessionCookie()] : []),
      // A new CSRF token makes forms rendered for the session this request ended stop working. Only
      // then: a link to an already ended session must not reset a signed-out browser's open form.
      ...(revoked ? [rotatedCsrfToken().setCookie] : []),
    ];
    // Browsers honour Clear-Site-Data only from secure origins.
    const headers: Record<string, string> =
      config().logoutClearBrowserData && isHttpsRequest(request)
        ? { "Clear-Site-Data": '"cookies", "storage", "cache"' }
        : {};
    return isJsonRequest(request.headers) ? noContent({ cookies, headers }) : seeOther(returnTo, { cookies, headers });
  },
  { browserErrors: "redirect" },
);

/**
 * Next.js answers HEAD by running GET and dropping the body, which would log people out. Only GET
 * performs logout, so HEAD is refused and changes nothing.
 */
export function HEAD(): Response {
  return new Response(null, { status: 405, headers: { Allow: "GET" } });
}
