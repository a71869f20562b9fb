// Which address is the client's, and whether the request came over https: believed from forwarded
// headers only when the peer is a trusted proxy (TRUSTED_PROXIES).

import { beforeEach, describe, expect, it, vi } from "vitest";

async function load(trustedProxies: string) {
  vi.resetModules();
  vi.stubEnv("TRUSTED_PROXIES", trustedProxies);
  return import("@/lib/http/client-address");
}

const request = (headers: Record<string, string>, url = "http://app.example/") => new Request(url, { headers });

describe("clientAddress", () => {
  let addresses: Awaited<ReturnType<typeof load>>;
  beforeEach(async () => {
    addresses = await load("10.0.0.0/8, ::1");
  });

  it.each<[string, Record<string, string>, string | undefined]>([
    ["no peer address", {}, undefined],
    ["a client, no forwarded header → the peer", { "x-peer-address": "203.0.113.9" }, "203.0.113.9"],
    [
      "a client that sends its own X-Forwarded-For → still the peer",
      { "x-peer-address": "203.0.113.9", "x-forwarded-for": "198.51.100.1" },
      "203.0.113.9",
    ],
    [
      "a trusted proxy → the hop before it",
      { "x-peer-address": "10.0.0.2", "x-forwarded-for": "198.51.100.1" },
      "198.51.100.1",
    ],
    [
      "a chain of trusted proxies → the first untrusted hop from the right",
      { "x-peer-address": "10.0.0.2", "x-forwarded-for": "6.6.6.6, 198.51.100.1, 10.0.0.7" },
      "198.51.100.1",
    ],
    ["IPv6 loopback proxy", { "x-peer-address": "::1", "x-forwarded-for": "2001:db8::5" }, "2001:db8::5"],
    ["an IPv4 client on an IPv6 socket", { "x-peer-address": "::ffff:203.0.113.9" }, "203.0.113.9"],
    [
      "a trusted proxy forwarding garbage → the proxy",
      { "x-peer-address": "10.0.0.2", "x-forwarded-for": "not-an-address" },
      "10.0.0.2",
    ],
  ])("%s", (_name, headers, expected) => {
    expect(addresses.clientAddress(request(headers).headers)).toBe(expected);
  });
});

describe("isHttpsRequest", () => {
  it("believes X-Forwarded-Proto only from a trusted proxy", async () => {
    const { isHttpsRequest } = await load("127.0.0.1");
    expect(isHttpsRequest(request({ "x-peer-address": "127.0.0.1", "x-forwarded-proto": "https" }))).toBe(true);
    expect(isHttpsRequest(request({ "x-peer-address": "127.0.0.1", "x-forwarded-proto": "http" }))).toBe(false);
    expect(isHttpsRequest(request({ "x-peer-address": "192.0.2.1", "x-forwarded-proto": "https" }))).toBe(false);
    expect(isHttpsRequest(request({ "x-peer-address": "192.0.2.1" }, "https://app.example/"))).toBe(true);
  });

  it("with no trusted proxies, forwarded headers are ignored", async () => {
    const { isHttpsRequest, clientAddress } = await load("");
    const headers = { "x-peer-address": "127.0.0.1", "x-forwarded-proto": "https", "x-forwarded-for": "1.2.3.4" };
    expect(isHttpsRequest(request(headers))).toBe(false);
    expect(clientAddress(request(headers).headers)).toBe("127.0.0.1");
  });
});
