// Where a browser may be sent after a flow: Kratos's x/redir/secure_redirect.go, made stricter.
// The decision is made on the URL as WHATWG parsing resolves it, and the redirect uses that
// serialised URL, never the raw input, so a browser cannot read the value differently than we did.

import { config, type AllowedReturnUrl } from "./config";
import { badRequest, returnToForbidden } from "./errors";

const MAX_LENGTH = 2048;
// Raw control characters and whitespace: the URL parser silently drops tabs and newlines
// ("java\nscript:") and trims spaces, so a value containing them means something other than it shows.
// With them go characters that show as nothing or as a blank (format characters, separators, the
// Braille blank, Hangul fillers): a URL that carries them is made to be misread.
const CONTROL_OR_SPACE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Z}\s\u2800\u115f\u1160\u3164\uffa0]/u;
// Percent-encoded control characters (%0d%0a …) have no business in a return URL either.
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;

// An encoded slash, backslash or dot in a path: "/app/..%2fadmin" stays inside "/app/" for the URL
// parser, but a server that decodes it first serves "/admin".
const ENCODED_PATH_SYNTAX = /%(?:2f|5c|2e)/i;

function pathWithin(candidate: string, allowed: string): boolean {
  const prefix = allowed.replace(/\/+$/, "");
  if (prefix === "") return true;
  if (ENCODED_PATH_SYNTAX.test(candidate)) return false;
  return candidate === prefix || candidate.startsWith(`${prefix}/`);
}

function hostMatches(candidate: URL, entry: AllowedReturnUrl): boolean {
  const host = entry.url.hostname;
  // "*.example.com" allows subdomains of example.com, not example.com itself.
  return entry.subdomains ? candidate.hostname.endsWith(`.${host}`) : candidate.hostname === host;
}

function allowedBy(candidate: URL, entry: AllowedReturnUrl): boolean {
  return (
    candidate.protocol === entry.url.protocol &&
    hostMatches(candidate, entry) &&
    candidate.port === entry.url.port &&
    pathWithin(candidate.pathname, entry.url.pathname)
  );
}

/**
 * The URL to return to: `raw` when it is allowed, `fallback` when it is absent or empty.
 * Throws 400 when it cannot be parsed or contains control characters, and 400
 * self_service_flow_return_to_forbidden when it points anywhere not allowed.
 */
export function allowedReturnTo(raw: string | null | undefined, fallback: URL): URL {
  if (raw === null || raw === undefined || raw === "") return fallback;
  if (raw.length > MAX_LENGTH) throw badRequest(`The return_to URL must not be longer than ${MAX_LENGTH} characters.`);
  if (CONTROL_OR_SPACE.test(raw) || ENCODED_CONTROL.test(raw)) {
    throw badRequest("The return_to URL contains whitespace or control characters.");
  }
  let candidate: URL;
  try {
    // A relative URL resolves against the default return URL.
    candidate = new URL(raw, fallback);
  } catch {
    throw badRequest(
      `The return_to URL ${JSON.stringify(raw)} could not be parsed as a URL.`,
      "The return_to URL could not be parsed as a URL.",
    );
  }
  if (candidate.username || candidate.password) throw returnToForbidden(raw);
  const { publicBaseUrl, allowedReturnUrls } = config();
  const ownOrigin =
    (candidate.protocol === "http:" || candidate.protocol === "https:") && candidate.origin === publicBaseUrl.origin;
  if (ownOrigin || allowedReturnUrls.some((entry) => allowedBy(candidate, entry))) return candidate;
  throw returnToForbidden(raw);
}
