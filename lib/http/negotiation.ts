// What kind of request this is: a JSON client or a browser, a person's click or a prefetch.

import Negotiator from "negotiator";

// Kratos's rule (x/isjsonrequest.go): negotiate over these offers with text/html as the default,
// so a bare "*/*" (curl, a link click) is a browser request and "application/json" is not.
const OFFERS = ["text/html", "text/*", "*/*", "application/json"];

/** A JSON request gets JSON answers (204, error envelope); any other gets redirects and pages. */
export function isJsonRequest(headers: Headers): boolean {
  if (mediaType(headers.get("content-type")) === "application/json") return true;
  const accept = headers.get("accept");
  if (accept === null) return false;
  return new Negotiator({ headers: { accept } }).mediaType(OFFERS) === "application/json";
}

/** The essence of a Content-Type header ("application/json; charset=utf-8" → "application/json"). */
export function mediaType(contentType: string | null): string | undefined {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() || undefined;
}

const PREFETCH_HEADERS: ReadonlyArray<[string, RegExp]> = [
  ["next-router-prefetch", /./],
  ["purpose", /prefetch/i],
  ["sec-purpose", /prefetch/i],
  ["x-moz", /prefetch/i],
];

/** Link prefetching (Next's router, browsers' speculation rules) is not a person asking for something. */
export function isPrefetch(headers: Headers): boolean {
  return PREFETCH_HEADERS.some(([name, pattern]) => pattern.test(headers.get(name) ?? ""));
}
