import { NextResponse, type NextRequest } from "next/server";

// /sessions is both Kratos's JSON API (app/sessions/route.ts) and, for a person, the devices page
// (app/devices/page.tsx). The App Router allows a route handler or a page in one folder, not both,
// so this proxy shows the page for a browser's GET of /sessions and leaves everything else to the
// API. A browser is recognised by what only a browser sends: a document request whose Accept names
// text/html, or the App Router fetching the page again (`RSC: 1`, from `router.refresh()`). The SDK
// sends no Accept header and curl sends */*, so they keep getting JSON, exactly as from Kratos.
// A rewrite, not a redirect: the address bar keeps saying /sessions.
export function proxy(request: NextRequest) {
  if (request.method !== "GET" && request.method !== "HEAD") return NextResponse.next();
  const page = request.nextUrl.clone();
  page.pathname = "/devices";
  return NextResponse.rewrite(page);
}

// Only these requests pay for the proxy; every other path and every API call skips it.
export const config = {
  matcher: [
    { source: "/sessions", has: [{ type: "header", key: "accept", value: ".*text/html.*" }] },
    { source: "/sessions", has: [{ type: "header", key: "rsc", value: "1" }] },
  ],
};
