// Mapping domain results to HTTP. Every self-service and session answer goes through here, so the
// no-cache headers, the error envelope and the browser error redirect exist exactly once.

import { publicUrl } from "./config";
import { HttpError, internalError } from "./errors";
import { isJsonRequest } from "./is-json-request";
import { storeError } from "./self-service-errors";

/** Answers that depend on who is signed in must never be stored by a browser or a proxy. */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "private, no-cache, no-store, must-revalidate",
  Vary: "Cookie",
};

/** Response headers: no-cache, plus any Set-Cookie values and extra headers. */
function headersWith(cookies: readonly string[] = [], extra: Record<string, string> = {}): Headers {
  const headers = new Headers({ ...NO_CACHE_HEADERS, ...extra });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return headers;
}

export type ResponseExtras = { cookies?: readonly string[]; headers?: Record<string, string> };

export function json(body: unknown, status = 200, extras: ResponseExtras = {}): Response {
  const headers = headersWith(extras.cookies, { "Content-Type": "application/json; charset=utf-8", ...extras.headers });
  return new Response(JSON.stringify(body), { status, headers });
}

export function noContent(extras: ResponseExtras = {}): Response {
  return new Response(null, { status: 204, headers: headersWith(extras.cookies, extras.headers) });
}

export function seeOther(location: string | URL, extras: ResponseExtras = {}): Response {
  const headers = headersWith(extras.cookies, { Location: String(location), ...extras.headers });
  return new Response(null, { status: 303, headers });
}

function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  console.error("unexpected error", error);
  return internalError();
}

export function errorJson(error: unknown, extras: ResponseExtras = {}): Response {
  const httpError = asHttpError(error);
  return json({ error: httpError.toJSON() }, httpError.code, extras);
}

/**
 * A JSON request gets the error envelope. A browser gets 303 to the error page, where the stored
 * error is shown in words a person understands (Kratos's SelfServiceErrorManager().Forward).
 */
export async function errorForRequest(request: Request, error: unknown, extras: ResponseExtras = {}): Promise<Response> {
  const httpError = asHttpError(error);
  if (isJsonRequest(request.headers)) return errorJson(httpError, extras);
  const id = await storeError(httpError);
  return seeOther(errorPageUrl(id), extras);
}

export function errorPageUrl(id: string): URL {
  const url = publicUrl("/error");
  url.searchParams.set("id", id);
  return url;
}

type Handler<Context> = (request: Request, context: Context) => Promise<Response>;

/**
 * Wraps a route handler so any thrown error becomes an answer: the envelope for JSON-only
 * endpoints, or, with `browserErrors: "redirect"`, the error page for browser requests.
 */
export function handler<Context = unknown>(
  fn: Handler<Context>,
  options: { browserErrors: "json" | "redirect" } = { browserErrors: "json" },
): Handler<Context> {
  return async (request, context) => {
    try {
      return await fn(request, context);
    } catch (error) {
      return options.browserErrors === "redirect" ? errorForRequest(request, error) : errorJson(error);
    }
  };
}
