import { isJsonRequest } from "@/app/_server/is-json-request";
import { isPrefetch, performBrowserLogout, prefetchRefused } from "@/app/_server/logout";
import { errorForRequest, errorJson, noContent, seeOther } from "@/app/_server/responses";

/** GET /self-service/logout?token=…&return_to=… — browser logout: 204 for JSON requests, else 303. */
export async function GET(request: Request): Promise<Response> {
  // A refused prefetch is answered without storing an error: a prefetch must change nothing.
  if (isPrefetch(request.headers)) return errorJson(prefetchRefused());
  try {
    const { returnTo, cookies, headers } = await performBrowserLogout(request);
    if (isJsonRequest(request.headers)) return noContent({ cookies, headers });
    return seeOther(returnTo, { cookies, headers });
  } catch (error) {
    return errorForRequest(request, error);
  }
}

/**
 * Next.js answers HEAD by running GET and dropping the body, which would log people out. Only GET
 * performs logout, so HEAD is refused and changes nothing.
 */
export function HEAD(): Response {
  return new Response(null, { status: 405, headers: { Allow: "GET" } });
}
