// CORS for a UI on another origin (Kratos's serve.public.cors), so a browser page such as Ory
// Elements on https://ui.example.com can call the self-service and session endpoints with its
// cookie. Credentialed CORS only, only for CORS_ALLOWED_ORIGINS; any other origin gets no CORS
// header at all, and "*" is never sent. Route handlers add the headers through `handler()`
// (responses.ts); proxy.ts answers preflights, which reach no route handler.

import { config, type AllowedOrigin } from "@/lib/server/config";

// Kratos's defaults, plus Accept (Ory's SDKs send Accept: application/json).
const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS = "Accept, Authorization, Content-Type, X-Session-Token, X-CSRF-Token, X-XSRF-Token";
const EXPOSED_HEADERS = "Content-Type";
// How long a browser may reuse a preflight answer. Kratos's default (0) preflights every call;
// ten minutes saves a round trip per call without keeping a removed origin trusted for long.
const MAX_AGE_SECONDS = 600;

function matches(entry: AllowedOrigin, origin: URL): boolean {
  if (entry.protocol !== origin.protocol || entry.port !== origin.port) return false;
  return entry.subdomains ? origin.hostname.endsWith(`.${entry.hostname}`) : origin.hostname === entry.hostname;
}

/** The request's Origin when CORS_ALLOWED_ORIGINS lists it, else undefined. */
export function allowedOrigin(headers: Headers): string | undefined {
  const allowed = config().corsAllowedOrigins;
  const origin = headers.get("origin");
  if (allowed.length === 0 || !origin) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined; // "null" (sandboxed frames, file://) and garbage
  }
  // An Origin header is exactly scheme://host[:port]; anything more is not a browser's.
  if (url.origin !== origin || !allowed.some((entry) => matches(entry, url))) return undefined;
  return origin;
}

/** Adds the CORS headers of an answer to an allowed origin; with CORS on, every answer varies by Origin. */
export function addCorsHeaders(request: Request, response: Response): Response {
  if (config().corsAllowedOrigins.length === 0) return response;
  appendVary(response.headers, "Origin");
  const origin = allowedOrigin(request.headers);
  if (origin) {
    response.headers.set("Access-Control-Allow-Origin", origin);
    response.headers.set("Access-Control-Allow-Credentials", "true");
    response.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }
  return response;
}

/** A CORS preflight: OPTIONS naming the method it is asking for. */
export function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("access-control-request-method");
}

/**
 * The answer to a preflight. An allowed origin learns what it may send; any other origin gets an
 * empty 204 without CORS headers, so its browser refuses the real request.
 */
export function preflightResponse(request: Request): Response {
  const headers = new Headers({ Vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" });
  const origin = allowedOrigin(request.headers);
  if (origin) {
    headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Allow-Credentials", "true");
    headers.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
    headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    headers.set("Access-Control-Max-Age", String(MAX_AGE_SECONDS));
  }
  return new Response(null, { status: 204, headers });
}

function appendVary(headers: Headers, name: string): void {
  const vary = headers.get("vary");
  const names = vary ? vary.split(",").map((value) => value.trim().toLowerCase()) : [];
  if (!names.includes(name.toLowerCase())) headers.set("Vary", vary ? `${vary}, ${name}` : name);
}
