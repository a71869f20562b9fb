import { NextResponse, type NextRequest } from "next/server";
import { isPreflight, preflightResponse } from "@/lib/http/cors";

// /sessions is both the devices page (app/sessions/page.tsx) and Kratos's JSON API for the user's
// sessions (app/sessions/others/route.ts). A folder holds a page or a route handler, not both, so
// this proxy picks: a browser's GET that asks for text/html sees the page; everything else (the SDK
// sends no Accept header, curl sends */*, fetch() sends application/json) gets the API, exactly as
// from Kratos. A rewrite, not a redirect: the address bar and the client keep saying /sessions.
const API = "/sessions/others";
// Next runs the proxy again for the rewritten path; this header tells that pass apart from a
// client asking for /sessions/others itself.
const REWRITTEN = "x-sessions-api";

export function proxy(request: NextRequest) {
  // A CORS preflight never reaches a route handler (Next answers OPTIONS itself), so it is answered here.
  if (isPreflight(request)) return preflightResponse(request);
  const { pathname } = request.nextUrl;
  if (pathname !== "/sessions" && pathname !== API) return NextResponse.next();
  if (pathname === API) {
    // The API's folder is an implementation detail, not a second address for it.
    return Response.json(
      { error: { code: 404, status: "Not Found", message: "The requested resource could not be found" } },
      { status: 404, headers: { "Cache-Control": "private, no-cache, no-store, must-revalidate", Vary: "Cookie" } },
    );
  }
  const pageView =
    (request.method === "GET" || request.method === "HEAD") && /text\/html/i.test(request.headers.get("accept") ?? "");
  if (pageView) return NextResponse.next();
  const headers = new Headers(request.headers);
  headers.set(REWRITTEN, "1");
  const api = request.nextUrl.clone();
  api.pathname = API;
  return NextResponse.rewrite(api, { request: { headers } });
}

// Only these requests pay for the proxy; every other request skips it. CORS preflights carry
// Access-Control-Request-Method, so the self-service and session endpoints' own requests (whoami,
// logout) never run it. (Static values: Next reads them at build time.)
export const config = {
  matcher: [
    "/sessions",
    { source: "/sessions/others", missing: [{ type: "header", key: "x-sessions-api" }] },
    { source: "/sessions/:path*", has: [{ type: "header", key: "access-control-request-method" }] },
    { source: "/self-service/:path*", has: [{ type: "header", key: "access-control-request-method" }] },
  ],
};
