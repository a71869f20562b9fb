// The admin API's edge (/admin/*, Kratos's admin API for operators): who may call it and how its
// route handlers answer. One credential opens it, the ADMIN_API_TOKEN sent as
// `Authorization: Bearer <token>` (what the SDK's `Configuration({ accessToken })` sends), compared
// in constant time. Session credentials (cookie, X-Session-Token, a session's Bearer token) never
// open it, and the admin token is never a session credential (it names no session row).
// Admin answers carry the no-cache headers of every API answer, never a cookie, and never CORS
// headers: no browser page has any business calling it.

import { config } from "@/lib/server/config";
import { adminUnauthorized, methodNotAllowed, unknownPath } from "@/lib/server/errors";
import { assertAdminAttemptAllowed, recordAdminFailure } from "@/lib/server/rate-limits";
import { safeEqual } from "@/lib/server/secrets";
import { clientAddress } from "./client-address";
import { errorJson } from "./responses";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

type Method = (typeof METHODS)[number];

type RouteHandler<Context> = (request: Request, context: Context) => Promise<Response>;

/**
 * Throws unless the request may use the admin API: 404 while ADMIN_API_TOKEN is unset (the API does
 * not exist then), 429 while this address has sent too many wrong tokens (RATE_LIMIT_ADMIN_FAILURES),
 * 401 without the admin token.
 */
export async function authorizeAdmin(request: Request): Promise<void> {
  const token = config().adminApiToken;
  if (token === undefined) throw unknownPath();
  const address = clientAddress(request.headers) ?? null;
  // Checked before the comparison, so a guesser learns nothing once throttled.
  await assertAdminAttemptAllowed(address);
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (bearer === undefined || !safeEqual(bearer, token)) {
    await recordAdminFailure(address);
    throw adminUnauthorized();
  }
}

/** Every method of one admin path, each answering only after authorizeAdmin, errors as the envelope. */
function everyMethod<Context>(
  answer: (method: Method, request: Request, context: Context) => Promise<Response>,
): Record<Method, RouteHandler<Context>> {
  const route = (method: Method): RouteHandler<Context> => {
    return async (request, context) => {
      try {
        await authorizeAdmin(request);
        return await answer(method, request, context);
      } catch (error) {
        const response = errorJson(error);
        if (response.status === 401) response.headers.set("WWW-Authenticate", 'Bearer realm="admin"');
        return response;
      }
    };
  };
  return Object.fromEntries(METHODS.map((method) => [method, route(method)])) as Record<Method, RouteHandler<Context>>;
}

/**
 * The route handlers of one admin path. Every method is exported, not only the path's own, so
 * that an unauthorized caller learns nothing from a 405, and with the API off every method of
 * every path is the same 404. HEAD is GET without its body.
 */
export function adminRoute<Context>(
  handlers: Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", RouteHandler<Context>>>,
): Record<Method, RouteHandler<Context>> {
  const own = Object.keys(handlers) as Method[];
  const allowed = own.includes("GET") ? [...own, "HEAD"] : own;
  return everyMethod(async (method, request, context) => {
    const handle = method === "HEAD" ? handlers.GET : handlers[method as keyof typeof handlers];
    if (!handle) return errorJson(methodNotAllowed(allowed), { headers: { Allow: allowed.join(", ") } });
    const response = await handle(request, context);
    return method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;
  });
}

/** Any other path under /admin: 404 for every method, once authorized. */
export function unknownAdminPath(): Record<Method, RouteHandler<unknown>> {
  return everyMethod(async () => {
    throw unknownPath();
  });
}
