// Cookie attributes live here once, so a cookie is always cleared with exactly the attributes it
// was set with (a mismatch in Path or Secure leaves the old cookie in the browser).

import { parse, serialize } from "cookie";
import { config } from "@/lib/server/config";

function attributes() {
  return {
    httpOnly: true,
    path: "/",
    sameSite: "lax" as const,
    // Secure whenever the app is served over https; on http://localhost it would never be sent back.
    secure: config().publicBaseUrl.protocol === "https:",
  };
}

export function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  return serialize(name, value, { ...attributes(), maxAge: Math.max(0, Math.floor(maxAgeSeconds)) });
}

export function clearCookie(name: string): string {
  return serialize(name, "", { ...attributes(), maxAge: 0 });
}

export function readCookie(headers: Headers, name: string): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  return parse(header)[name] || undefined;
}
