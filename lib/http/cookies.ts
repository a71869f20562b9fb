// Cookie attributes live here once, so a cookie is always cleared with exactly the attributes it
// was set with (a mismatch in Path or Secure leaves the old cookie in the browser).

import { serialize } from "cookie";
import { config } from "@/lib/server/config";

// Secure whenever the app is served over https; on http://localhost it would never be sent back.
const secure = () => config().publicBaseUrl.protocol === "https:";

/**
 * The name a cookie is sent under. Over https it carries the `__Host-` prefix: browsers then accept
 * it only from this host, Secure and on Path=/, so a sibling subdomain cannot plant one that shadows
 * it (over http there is no such protection to ask for).
 */
export function cookieName(name: string): string {
  return secure() && !name.startsWith("__Host-") ? `__Host-${name}` : name;
}

const attributes = () => ({ httpOnly: true, path: "/", sameSite: "lax" as const, secure: secure() });

export function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  return serialize(cookieName(name), value, { ...attributes(), maxAge: Math.max(0, Math.floor(maxAgeSeconds)) });
}

export function clearCookie(name: string): string {
  return serialize(cookieName(name), "", { ...attributes(), maxAge: 0 });
}

/**
 * Every value the request sends for this cookie, in order. A browser sends two cookies of one name
 * when another path or domain set one too; a planted one must not hide the real one, so callers try
 * each (the usual parsers keep only the first).
 */
export function readCookies(headers: Headers, name: string): string[] {
  const wanted = cookieName(name);
  const values: string[] = [];
  for (const pair of (headers.get("cookie") ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator === -1 || pair.slice(0, separator).trim() !== wanted) continue;
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded: taken as it is.
    }
    if (value) values.push(value);
  }
  return values;
}
