import { NextResponse, type NextRequest } from "next/server";
import { isPreflight, preflightResponse } from "@/lib/http/cors";
import { errorJson } from "@/lib/http/responses";
import { config as appConfig } from "@/lib/server/config";
import { unknownPath } from "@/lib/server/errors";

// The proxy runs before the pages, and before CORS preflights of the API, for three things:
//
// 1. A Content-Security-Policy with a fresh nonce per page view. Next.js puts the nonce it reads
//    from the request's CSP header on its own scripts, so nothing else may run: an injected
//    <script> has no nonce. Every page is rendered per request (they read the session), so a
//    nonce never ends up in a cached page. JSON answers carry a policy of their own
//    (lib/http/responses.ts).
//
// 2. /sessions is both the devices page (app/sessions/page.tsx) and Kratos's JSON API for the user's
//    sessions (app/sessions/others/route.ts). A folder holds a page or a route handler, not both, so
//    a browser's GET that asks for text/html sees the page; everything else (the SDK sends no
//    Accept header, curl sends */*, fetch() sends application/json) gets the API, exactly as from
//    Kratos. A rewrite, not a redirect: the address bar and the client keep saying /sessions.
//
// 3. CORS preflights (OPTIONS with Access-Control-Request-Method) never reach a route handler, so
//    they are answered here (lib/http/cors.ts); the API's other requests never run the proxy.

const SESSIONS_API = "/sessions/others";
// Next runs the proxy again for a rewritten path; this header tells that pass apart from a client
// asking for /sessions/others itself.
const REWRITTEN = "x-sessions-api";

function contentSecurityPolicy(nonce: string): string {
  // A form's redirect counts for form-action: the sign-in form may land on any allowed return URL,
  // or, when it fails, on the configured login, registration or error UI.
  const { publicBaseUrl, allowedReturnUrls, loginUiUrl, registrationUiUrl, errorUiUrl } = appConfig();
  const uiOrigins = [loginUiUrl, registrationUiUrl, errorUiUrl]
    .map((url) => url.origin)
    .filter((origin) => origin !== publicBaseUrl.origin);
  const formTargets = new Set([
    ...allowedReturnUrls.map(({ url, subdomains }) => (subdomains ? `${url.protocol}//*.${url.host}` : url.origin)),
    ...uiOrigins,
  ]);
  // Next's development build evaluates code for hot reloading.
  const devEval = process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${devEval}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self' ${[...formTargets].join(" ")}`.trim(),
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  if (isPreflight(request)) return preflightResponse(request);
  const { pathname } = request.nextUrl;
  // Matched only as a would-be preflight (see the matcher): an API path, left alone.
  if (pathname.startsWith("/self-service/") || (pathname.startsWith("/sessions/") && pathname !== SESSIONS_API)) {
    return NextResponse.next();
  }
  if (pathname === SESSIONS_API) {
    // The API's folder is an implementation detail, not a second address for it.
    return errorJson(unknownPath());
  }
  const pageView =
    pathname !== "/sessions" ||
    ((request.method === "GET" || request.method === "HEAD") &&
      /text\/html/i.test(request.headers.get("accept") ?? ""));
  const headers = new Headers(request.headers);
  if (!pageView) {
    headers.set(REWRITTEN, "1");
    const api = request.nextUrl.clone();
    api.pathname = SESSIONS_API;
    return NextResponse.rewrite(api, { request: { headers } });
  }
  const policy = contentSecurityPolicy(Buffer.from(crypto.randomUUID()).toString("base64"));
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

// The pages, /sessions's two meanings, and CORS preflights of the API (they carry
// Access-Control-Request-Method); every other API request (whoami, logout) and static files skip
// the proxy. (Static values: Next reads them at build time. A new page is added here.)
export const config = {
  matcher: [
    "/",
    "/login",
    "/registration",
    "/error",
    "/sessions",
    { source: "/sessions/others", missing: [{ type: "header", key: "x-sessions-api" }] },
    { source: "/sessions/:path*", has: [{ type: "header", key: "access-control-request-method" }] },
    { source: "/self-service/:path*", has: [{ type: "header", key: "access-control-request-method" }] },
  ],
};
