// Who is really on the other end. server.mjs puts the TCP peer's address in `x-peer-address`
// (replacing any value a client sent). A request that comes from a proxy listed in TRUSTED_PROXIES
// is believed about the client behind it (X-Forwarded-For, X-Forwarded-Proto); anyone else's
// forwarded headers are their own invention and are ignored, so a client cannot choose the address
// a session records or a rate limit counts.

import { isIP } from "node:net";
import { config } from "@/lib/server/config";

export const PEER_ADDRESS_HEADER = "x-peer-address";

function isTrustedProxy(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && config().trustedProxies.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The peer's address without the "::ffff:" of an IPv4 client on an IPv6 socket. */
function peerAddress(headers: Headers): string | undefined {
  return headers.get(PEER_ADDRESS_HEADER)?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1") || undefined;
}

/**
 * The client's address: walking X-Forwarded-For from the nearest hop back while each hop is a
 * trusted proxy, the first one that is not. Without a trusted proxy in front, the peer itself.
 */
export function clientAddress(headers: Headers): string | undefined {
  let address = peerAddress(headers);
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim());
  while (address !== undefined && isTrustedProxy(address) && hops.length > 0) {
    const next = hops.pop()!;
    if (isIP(next) === 0) break;
    address = next;
  }
  return address;
}

/** The request reached the app over https: directly, or as a trusted proxy in front says. */
export function isHttpsRequest(request: Request): boolean {
  const peer = peerAddress(request.headers);
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded && peer !== undefined && isTrustedProxy(peer)) return forwarded === "https";
  return new URL(request.url).protocol === "https:";
}
