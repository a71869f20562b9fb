// Mapping domain results to HTTP. Every answer of the API goes through here, so the no-cache
// headers and the error envelope exist exactly once. (A route's errors become answers in
// handler.ts, which also sends a browser to the error page.)

import { publicUrl } from "@/lib/server/config";
import { internalError, KratosError } from "@/lib/server/errors";

/** Answers that depend on who is signed in must never be stored by a browser or a proxy. */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "private, no-cache, no-store, must-revalidate",
  Vary: "Cookie",
};

// An API answer is data, never a document: should a browser be made to render one, nothing in it
// may run or be framed. (Pages get a policy with a per-request nonce from proxy.ts.)
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export type ResponseExtras = { cookies?: readonly string[]; headers?: Record<string, string> };

/** Response headers: no-cache, plus any Set-Cookie values and extra headers. */
function headersWith({ cookies = [], headers = {} }: ResponseExtras, own: Record<string, string> = {}): Headers {
  const result = new Headers({
    ...NO_CACHE_HEADERS,
    "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
    ...own,
    ...headers,
  });
  for (const cookie of cookies) result.append("Set-Cookie", cookie);
  return result;
}

export function json(body: unknown, status = 200, extras: ResponseExtras = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: headersWith(extras, { "Content-Type": JSON_CONTENT_TYPE }),
  });
}

export function noContent(extras: ResponseExtras = {}): Response {
  return new Response(null, { status: 204, headers: headersWith(extras) });
}

export function seeOther(location: string | URL, extras: ResponseExtras = {}): Response {
  return new Response(null, { status: 303, headers: headersWith(extras, { Location: String(location) }) });
}

export function asKratosError(error: unknown): KratosError {
  if (error instanceof KratosError) return error;
  console.error("unexpected error", error);
  return internalError();
}

export function errorJson(error: unknown, extras: ResponseExtras = {}): Response {
  const kratosError = asKratosError(error);
  const retryAfter = kratosError.retryAfterSeconds;
  const headers = retryAfter === undefined ? extras.headers : { ...extras.headers, "Retry-After": String(retryAfter) };
  return json({ error: kratosError.toJSON() }, kratosError.code, { ...extras, headers });
}

/**
 * Kratos's `Link` header for keyset pagination: always the first page, and the next one when there
 * is one. The request's other query parameters (filters such as `active`, `expand`) are kept, as
 * Kratos keeps them.
 */
export function paginationLinkHeader(
  path: string,
  size: number,
  nextPageToken: string | undefined,
  query: URLSearchParams = new URLSearchParams(),
): string {
  const link = (rel: string, token?: string) => {
    const url = publicUrl(path);
    for (const [name, value] of query) {
      if (name !== "page_size" && name !== "page_token") url.searchParams.append(name, value);
    }
    url.searchParams.set("page_size", String(size));
    if (token) url.searchParams.set("page_token", token);
    return `<${url.href}>; rel="${rel}"`;
  };
  return nextPageToken ? `${link("first")},${link("next", nextPageToken)}` : link("first");
}
