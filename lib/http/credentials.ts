// What a request says about who sends it: its session credential and its device.

import type { Device } from "@/lib/server/sessions/sessions";
import { clientAddress } from "./client-address";
import { sessionTokenFromCookie } from "./session-cookie";

export type RequestCredential = { token: string; source: "header" | "cookie" | "bearer" };

/**
 * The credential a request carries, looked for in Kratos's order: X-Session-Token, the session
 * cookie, Authorization: Bearer. The first one present decides; there is no fallback to the next.
 */
export async function requestCredential(headers: Headers): Promise<RequestCredential | undefined> {
  const header = headers.get("x-session-token")?.trim();
  if (header) return { token: header, source: "header" };
  const fromCookie = await sessionTokenFromCookie(headers);
  if (fromCookie) return { token: fromCookie, source: "cookie" };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer) return { token: bearer, source: "bearer" };
  return undefined;
}

/** The request's client as a session records it. */
export function deviceFromHeaders(headers: Headers): Device {
  return { ipAddress: clientAddress(headers) ?? null, userAgent: headers.get("user-agent") };
}

/**
 * What marks a request as a browser's, for flows that must not be driven by one: an Origin header,
 * or cookies. A CDN's own cookies (Cloudflare's __cf…, _cf…, cf_…) do not count, as in Kratos.
 */
export function browserSignals(headers: Headers): { origin: boolean; cookies: boolean } {
  const names = (headers.get("cookie") ?? "")
    .split(";")
    .map((pair) => pair.split("=", 1)[0]!.trim())
    .filter((name) => name !== "" && !/^(__cf|_cf|cf_)/.test(name));
  return { origin: headers.has("origin"), cookies: names.length > 0 };
}
