import { NextResponse, type NextRequest } from "next/server";

// /sessions is both Kratos's JSON API (app/sessions/route.ts) and, for a person, the devices page
// (app/devices/page.tsx). The App Router allows a route handler or a page in one folder, not both,
// so this proxy shows the page for a browser's GET of /sessions and leaves everything else to the
// API. A browser navigation is recognised by its Accept header naming text/html; the SDK sends no
// Accept header and curl sends */*, so they keep getting JSON, exactly as from Kratos. A rewrite,
// not a redirect: the address bar keeps saying /sessions. The page reloads itself after a sign-out
// (a document request again) rather than using router.refresh(), whose RSC requests would need a
// second, Next-internal rule here.
export function proxy(request: NextRequest) {
  if (request.method !== "GET" && request.method !== "HEAD") return NextResponse.next();
  const page = request.nextUrl.clone();
  page.pathname = "/devices";
  return NextResponse.rewrite(page);
}

// Only these requests pay for the proxy; every other path and every API call skips it.
export const config = {
  matcher: [{ source: "/sessions", has: [{ type: "header", key: "accept", value: ".*text/html.*" }] }],
};
