// The return_to policy, and every open-redirect trick we know, as a table.

import { beforeEach, describe, expect, it, vi } from "vitest";

const BASE = "https://app.example.org";

async function policy(allowed: string) {
  vi.resetModules();
  vi.stubEnv("PUBLIC_BASE_URL", BASE);
  vi.stubEnv("ALLOWED_RETURN_URLS", allowed);
  vi.stubEnv("DEFAULT_BROWSER_RETURN_URL", `${BASE}/home`);
  const { allowedReturnTo } = await import("@/lib/server/return-to");
  const { KratosError } = await import("@/lib/server/errors");
  const fallback = new URL(`${BASE}/home`);
  return (raw: string | null) => {
    try {
      return allowedReturnTo(raw, fallback).href;
    } catch (error) {
      if (error instanceof KratosError) return `${error.code} ${error.id ?? ""}`.trim();
      throw error;
    }
  };
}

const ALLOWED = "https://allowed.example.com/app, https://*.example.net, http://localhost:4000/";

describe("allowedReturnTo", () => {
  let check: (raw: string | null) => string;
  beforeEach(async () => {
    check = await policy(ALLOWED);
  });

  it.each([
    // [input, expected]
    [null, `${BASE}/home`],
    ["", `${BASE}/home`],
    ["/dashboard", `${BASE}/dashboard`],
    ["dashboard?tab=1", `${BASE}/dashboard?tab=1`],
    [`${BASE}/anything/at/all`, `${BASE}/anything/at/all`],
    ["https://allowed.example.com/app", "https://allowed.example.com/app"],
    ["https://allowed.example.com/app/", "https://allowed.example.com/app/"],
    ["https://allowed.example.com/app/deep/path?x=1#frag", "https://allowed.example.com/app/deep/path?x=1#frag"],
    ["HTTPS://ALLOWED.EXAMPLE.COM/app", "https://allowed.example.com/app"],
    ["https://allowed.example.com:443/app", "https://allowed.example.com/app"],
    ["https://sub.example.net/", "https://sub.example.net/"],
    ["https://a.b.example.net/x", "https://a.b.example.net/x"],
    ["http://localhost:4000/cb", "http://localhost:4000/cb"],
  ])("allows %j → %s", (input, expected) => {
    expect(check(input)).toBe(expected);
  });

  it.each([
    ["https://evil.com", "not on the list"],
    ["//evil.com", "protocol-relative"],
    ["//evil.com/app", "protocol-relative with an allowed-looking path"],
    ["/\\evil.com", "backslash turned into a second slash"],
    ["https:\\\\evil.com", "backslashes as slashes"],
    ["https://allowed.example.com@evil.com/app", "allowed host as user info"],
    ["https://evil.com@allowed.example.com/app", "user info on an allowed host"],
    ["https://user:pass@allowed.example.com/app", "credentials on an allowed host"],
    ["https://allowed.example.com.evil.com/app", "allowed host as a prefix of another"],
    ["https://evilallowed.example.com/app", "look-alike host"],
    ["https://allowed.example.com/application", "path prefix without a segment boundary"],
    ["https://allowed.example.com/", "path outside the allowed path"],
    ["https://allowed.example.com/App", "path case differs"],
    ["http://allowed.example.com/app", "scheme downgrade"],
    ["https://allowed.example.com:8443/app", "another port"],
    ["https://example.net/", "wildcard does not match the bare domain"],
    ["https://example.net.evil.com/", "wildcard suffix trick"],
    ["https://evilexample.net/", "wildcard look-alike"],
    ["http://sub.example.net/", "wildcard with another scheme"],
    ["http://localhost:4001/", "another port on localhost"],
    ["javascript:alert(1)", "javascript: URL"],
    ["JaVaScRiPt:alert(1)", "mixed-case javascript: URL"],
    ["data:text/html,<script>alert(1)</script>", "data: URL"],
    ["https://app.example.org.evil.com/", "own host as a prefix"],
    ["http://app.example.org/", "own host over http"],
    ["https://app.example.org:8443/", "own host on another port"],
    ["https://xn--allowed-example-com.evil/", "punycode look-alike"],
    ["https://allowed.example.com/app/..%2fevil", "encoded slash climbing out of the allowed path"],
    ["https://allowed.example.com/app/..%2Fevil", "encoded slash, upper case"],
    ["https://allowed.example.com/app/%2e%2e/evil", "encoded dot segment"],
    ["https://allowed.example.com/app/..%5cevil", "encoded backslash"],
  ])("forbids %j (%s)", (input) => {
    expect(check(input)).toBe("400 self_service_flow_return_to_forbidden");
  });

  it.each([
    ["https://allowed.example.com/app\r\nSet-Cookie: x=1", "raw CR/LF"],
    ["https://allowed.example.com/app%0d%0aSet-Cookie:%20x=1", "encoded CR/LF"],
    ["https://allowed.example.com/app%0A", "encoded LF"],
    ["java\tscript:alert(1)", "tab inside the scheme"],
    [" https://evil.com", "leading space"],
    ["https://evil.com ", "trailing space"],
    ["https://allowed.example.com/app\u0000", "NUL"],
    ["https://allowed.example.com/a\u2028b", "unicode line separator"],
    ["https://allowed.example.com/app\u00a0", "no-break space"],
    ["https://allowed.example.com/app?\u2800Your account is locked", "Braille blank, which passes \\s"],
    ["https://allowed.example.com/app?\u3164x", "Hangul filler"],
    ["https://allowed.example.com/a\u200bb", "zero-width space"],
    ["https://allowed.example.com/a\u202eb", "right-to-left override"],
    ["http://[::1", "unparseable host"],
    ["https://", "scheme only"],
    ["x".repeat(3000), "too long"],
  ])("rejects %j as malformed (%s)", (input) => {
    expect(check(input)).toBe("400");
  });

  it("names the requested URL in the forbidden reason", async () => {
    vi.resetModules();
    const { allowedReturnTo } = await import("@/lib/server/return-to");
    expect(() => allowedReturnTo("https://evil.com", new URL(`${BASE}/`))).toThrowError(
      expect.objectContaining({ reason: 'Requested return_to URL "https://evil.com" is not allowed.' }),
    );
  });
});

describe("allowedReturnTo without an allow-list", () => {
  it("allows only the app's own origin", async () => {
    const check = await policy("");
    expect(check(`${BASE}/x`)).toBe(`${BASE}/x`);
    expect(check("https://allowed.example.com/app")).toBe("400 self_service_flow_return_to_forbidden");
  });
});
