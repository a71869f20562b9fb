import { beforeEach, describe, expect, it, vi } from "vitest";

const SESSION = "0b9f1c6e-3f7a-4d2b-9a51-7c2e8d4f6a10";

async function load(env: Record<string, string> = {}) {
  vi.resetModules();
  vi.stubEnv("COOKIE_SECRET", env.COOKIE_SECRET ?? "unit-test-cookie-secret-0123456789abcdef");
  vi.stubEnv("LOGOUT_TOKEN_TTL", "10m");
  vi.stubEnv("PUBLIC_BASE_URL", "http://localhost:3000");
  return { ...(await import("@/lib/server/logout/logout-token")), ...(await import("@/lib/server/logout/logout")) };
}

const statusOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (error) {
    return (error as { code?: number }).code;
  }
};

describe("logout tokens", () => {
  let logout: Awaited<ReturnType<typeof load>>;
  beforeEach(async () => {
    logout = await load();
  });

  it("round-trips the session it was issued for", () => {
    const now = Date.now();
    const token = logout.issueLogoutToken(SESSION, now);
    expect(logout.verifyLogoutToken(token, now + 1)).toEqual({ sessionId: SESSION, expiresAt: now + 600_000 });
  });

  it("is URL-safe and carries no padding", () => {
    expect(logout.issueLogoutToken(SESSION)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("expires: 410 at and after its expiry", () => {
    const now = Date.now();
    const token = logout.issueLogoutToken(SESSION, now);
    expect(statusOf(() => logout.verifyLogoutToken(token, now + 600_000))).toBe(410);
    expect(statusOf(() => logout.verifyLogoutToken(token, now + 599_999))).toBe("ok");
  });

  it("refuses a tampered session id or expiry with 403, never 410", () => {
    const now = Date.now();
    const token = logout.issueLogoutToken(SESSION, now);
    const [payload = "", mac = ""] = token.split(".");
    const bytes = Buffer.from(payload, "base64url");
    const otherSession = Buffer.from(bytes);
    otherSession[0] = (otherSession[0] ?? 0) ^ 1;
    const laterExpiry = Buffer.from(bytes);
    laterExpiry.writeBigUInt64BE(BigInt(now + 10 ** 12), 16);
    expect(statusOf(() => logout.verifyLogoutToken(`${otherSession.toString("base64url")}.${mac}`))).toBe(403);
    expect(statusOf(() => logout.verifyLogoutToken(`${laterExpiry.toString("base64url")}.${mac}`, now + 700_000))).toBe(
      403,
    );
  });

  it.each(["", "x", "a.b", `${"A".repeat(32)}.${"A".repeat(43)}`, "../../etc/passwd", "ory_st_abc"])(
    "refuses the malformed or forged token %j with 403",
    (token) => {
      expect(statusOf(() => logout.verifyLogoutToken(token))).toBe(403);
    },
  );

  it("has exactly one valid spelling: re-spelled unused base64url bits → 403", () => {
    const token = logout.issueLogoutToken(SESSION);
    const [payload = "", mac = ""] = token.split(".");
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // The last character of 32 (payload) and 43 (signature) base64url characters carries 2 and 4 bits
    // that decoding ignores: every other character with the same meaningful bits decodes the same.
    const respellings = (text: string, unusedBits: number) => {
      const last = ALPHABET.indexOf(text.at(-1)!);
      return Array.from({ length: 2 ** unusedBits }, (_, i) => (last & ~(2 ** unusedBits - 1)) | i)
        .filter((index) => index !== last)
        .map((index) => text.slice(0, -1) + ALPHABET[index]);
    };
    const variants = [
      ...respellings(payload, 0).map((p) => `${p}.${mac}`),
      ...respellings(mac, 2).map((m) => `${payload}.${m}`),
    ];
    expect(variants.length).toBeGreaterThan(0);
    for (const variant of variants) {
      expect(Buffer.from(variant.split(".")[1]!, "base64url")).toEqual(Buffer.from(mac, "base64url"));
      expect(statusOf(() => logout.verifyLogoutToken(variant))).toBe(403);
    }
    expect(statusOf(() => logout.verifyLogoutToken(token))).toBe("ok");
  });

  it("is not valid under another secret", async () => {
    const token = logout.issueLogoutToken(SESSION);
    const other = await load({ COOKIE_SECRET: "another-cookie-secret-0123456789abcdefgh" });
    expect(statusOf(() => other.verifyLogoutToken(token))).toBe(403);
  });

  it("builds logout URLs with a sorted query and the validated return_to", () => {
    const { logout_url, logout_token } = logout.createLogoutUrl(SESSION, "/after");
    const url = new URL(logout_url);
    expect(url.origin + url.pathname).toBe("http://localhost:3000/self-service/logout");
    expect([...url.searchParams.keys()]).toEqual(["return_to", "token"]);
    expect(url.searchParams.get("return_to")).toBe("http://localhost:3000/after");
    expect(url.searchParams.get("token")).toBe(logout_token);
    const withoutReturnTo = new URL(logout.createLogoutUrl(SESSION).logout_url);
    expect([...withoutReturnTo.searchParams.keys()]).toEqual(["token"]);
  });
});
