// A route handler's errors become answers here: the JSON envelope for endpoints that are fetched,
// or, for a browser visiting an endpoint, a stored error and a redirect to the error page.

import { config } from "@/lib/server/config";
import { storeError } from "@/lib/server/self-service-errors";
import { addCorsHeaders } from "./cors";
import { isJsonRequest, isPrefetch } from "./negotiation";
import { asKratosError, errorJson, seeOther, type ResponseExtras } from "./responses";

/** ERROR_UI_URL (by default this app's /error) with `?id=<error id>`. */
function errorPageUrl(id: string): URL {
  const url = new URL(config().errorUiUrl);
  url.searchParams.set("id", id);
  return url;
}

/**
 * A JSON request gets the error envelope. A browser gets 303 to the error page, where the stored
 * error is shown in words a person understands (Kratos's SelfServiceErrorManager().Forward). A
 * prefetch is answered with the envelope and stores nothing: it must change nothing.
 */
export async function errorForRequest(
  request: Request,
  error: unknown,
  extras: ResponseExtras = {},
): Promise<Response> {
  const kratosError = asKratosError(error);
  if (isJsonRequest(request.headers) || isPrefetch(request.headers)) return errorJson(kratosError, extras);
  const id = await storeError(kratosError);
  return seeOther(errorPageUrl(id), extras);
}

type RouteHandler<Context> = (request: Request, context: Context) => Promise<Response>;

/**
 * Wraps a route handler so any thrown error becomes an answer: the envelope for endpoints that are
 * fetched (the default), or, with `browserErrors: "redirect"`, the error page for browser requests
 * of endpoints a browser visits. Every answer gets the CORS headers for an allowed UI origin.
 */
export function handler<Context = unknown>(
  fn: RouteHandler<Context>,
  options: { browserErrors: "json" | "redirect" } = { browserErrors: "json" },
): RouteHandler<Context> {
  return async (request, context) => {
    let response: Response;
    try {
      response = await fn(request, context);
    } catch (error) {
      response = options.browserErrors === "redirect" ? await errorForRequest(request, error) : errorJson(error);
    }
    return addCorsHeaders(request, response);
  };
}
