import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/server/config";

const SECRET = "0123456789abcdef0123456789abcdef";

describe("loadConfig", () => {
  it("works with no environment at all (local development)", () => {
    const config = loadConfig({});
    expect(config.publicBaseUrl.href).toBe("http://localhost:3000/");
    expect(config.sessionCookieName).toBe("ory_kratos_session");
    expect(config.sessionLifespanMs).toBe(24 * 3_600_000);
    expect(config.logoutTokenTtlMs).toBe(15 * 60_000);
    expect(config.defaultBrowserReturnUrl.href).toBe("http://localhost:3000/");
    expect(config.logoutDefaultBrowserReturnUrl.href).toBe("http://localhost:3000/");
    expect(config.databaseUrl).toBe("file:./data/app.db");
    expect(config.logoutClearBrowserData).toBe(false);
    expect(config.loginUiUrl.href).toBe("http://localhost:3000/login");
    expect(config.registrationUiUrl.href).toBe("http://localhost:3000/registration");
    expect(config.errorUiUrl.href).toBe("http://localhost:3000/error");
    expect(config.corsAllowedOrigins).toEqual([]);
  });

  it("UI URLs default to the app's own pages under its base path", () => {
    const config = loadConfig({ PUBLIC_BASE_URL: "https://auth.example.com/base/" });
    expect(config.loginUiUrl.href).toBe("https://auth.example.com/base/login");
    expect(config.registrationUiUrl.href).toBe("https://auth.example.com/base/registration");
    expect(config.errorUiUrl.href).toBe("https://auth.example.com/base/error");
  });

  it("reads the UI URLs and CORS origins", () => {
    const config = loadConfig({
      LOGIN_UI_URL: "http://localhost:4455/login",
      REGISTRATION_UI_URL: "http://localhost:4455/registration?x=1",
      ERROR_UI_URL: "https://ui.example.com/error",
      CORS_ALLOWED_ORIGINS: "http://localhost:4455, https://*.example.com:8443,https://ui.example.org/",
    });
    expect(config.loginUiUrl.href).toBe("http://localhost:4455/login");
    expect(config.registrationUiUrl.href).toBe("http://localhost:4455/registration?x=1");
    expect(config.errorUiUrl.href).toBe("https://ui.example.com/error");
    expect(config.corsAllowedOrigins).toEqual([
      { protocol: "http:", hostname: "localhost", port: "4455", subdomains: false },
      { protocol: "https:", hostname: "example.com", port: "8443", subdomains: true },
      { protocol: "https:", hostname: "ui.example.org", port: "", subdomains: false },
    ]);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PORT: "4000",
      PUBLIC_BASE_URL: "https://auth.example.com/base/",
      COOKIE_SECRET: SECRET,
      SESSION_COOKIE_NAME: "my_session",
      SESSION_LIFESPAN: "1h",
      LOGOUT_TOKEN_TTL: "2s",
      DEFAULT_BROWSER_RETURN_URL: "https://app.example.com/",
      LOGOUT_DEFAULT_BROWSER_RETURN_URL: "https://app.example.com/bye",
      ALLOWED_RETURN_URLS: "https://app.example.com, https://*.example.net/x",
      LOGOUT_CLEAR_BROWSER_DATA: "true",
      DATABASE_URL: "file:/tmp/x.db",
    });
    expect(config.port).toBe(4000);
    expect(config.publicBaseUrl.href).toBe("https://auth.example.com/base");
    expect(config.cookieSecret).toBe(SECRET);
    expect(config.sessionCookieName).toBe("my_session");
    expect(config.sessionLifespanMs).toBe(3_600_000);
    expect(config.logoutTokenTtlMs).toBe(2_000);
    expect(config.logoutDefaultBrowserReturnUrl.href).toBe("https://app.example.com/bye");
    expect(config.allowedReturnUrls.map((e) => [e.url.href, e.subdomains])).toEqual([
      ["https://app.example.com/", false],
      ["https://example.net/x", true],
    ]);
    expect(config.logoutClearBrowserData).toBe(true);
    expect(config.databaseUrl).toBe("file:/tmp/x.db");
  });

  it.each([
    [{ PUBLIC_BASE_URL: "not a url" }, "PUBLIC_BASE_URL"],
    [{ PUBLIC_BASE_URL: "ftp://x" }, "PUBLIC_BASE_URL"],
    [{ COOKIE_SECRET: "short" }, "COOKIE_SECRET"],
    [{ NODE_ENV: "production" }, "COOKIE_SECRET"],
    [{ SESSION_LIFESPAN: "forever" }, "SESSION_LIFESPAN"],
    [{ LOGOUT_TOKEN_TTL: "0s" }, "LOGOUT_TOKEN_TTL"],
    [{ DEFAULT_BROWSER_RETURN_URL: "/relative" }, "DEFAULT_BROWSER_RETURN_URL"],
    [{ ALLOWED_RETURN_URLS: "https://ok.example.com, nope" }, "ALLOWED_RETURN_URLS"],
    [{ LOGOUT_CLEAR_BROWSER_DATA: "maybe" }, "LOGOUT_CLEAR_BROWSER_DATA"],
    [{ SESSION_COOKIE_NAME: "bad name;" }, "SESSION_COOKIE_NAME"],
    [{ PORT: "70000" }, "PORT"],
    [{ LOGIN_UI_URL: "/login" }, "LOGIN_UI_URL"],
    [{ REGISTRATION_UI_URL: "javascript:alert(1)" }, "REGISTRATION_UI_URL"],
    [{ ERROR_UI_URL: "not a url" }, "ERROR_UI_URL"],
    [{ CORS_ALLOWED_ORIGINS: "*" }, "CORS_ALLOWED_ORIGINS"],
    [{ CORS_ALLOWED_ORIGINS: "http://localhost:4455, *" }, "CORS_ALLOWED_ORIGINS"],
    [{ CORS_ALLOWED_ORIGINS: "localhost:4455" }, "CORS_ALLOWED_ORIGINS"],
    [{ CORS_ALLOWED_ORIGINS: "http://localhost:4455/app" }, "CORS_ALLOWED_ORIGINS"],
    [{ CORS_ALLOWED_ORIGINS: "https://user@ui.example.com" }, "CORS_ALLOWED_ORIGINS"],
    [{ CORS_ALLOWED_ORIGINS: "https://ui.*.example.com" }, "CORS_ALLOWED_ORIGINS"],
    [{ CORS_ALLOWED_ORIGINS: "ftp://ui.example.com" }, "CORS_ALLOWED_ORIGINS"],
    [{ DATABASE_POOL_SIZE: "0" }, "DATABASE_POOL_SIZE"],
    [{ RATE_LIMITS: "sometimes" }, "RATE_LIMITS"],
    [{ RATE_LIMIT_LOGIN_FAILURES: "50" }, "RATE_LIMIT_LOGIN_FAILURES"],
    [{ RATE_LIMIT_REGISTRATIONS: "0/5m" }, "RATE_LIMIT_REGISTRATIONS"],
    [{ RATE_LIMIT_FLOWS: "10/never" }, "RATE_LIMIT_FLOWS"],
    [{ RATE_LIMIT_ADMIN_FAILURES: "-1/1m" }, "RATE_LIMIT_ADMIN_FAILURES"],
    [{ LOGIN_BACKOFF_AFTER: "0" }, "LOGIN_BACKOFF_AFTER"],
    [{ RATE_LIMIT_REFUSAL_DELAY: "11s" }, "RATE_LIMIT_REFUSAL_DELAY"],
    [{ RATE_LIMIT_REFUSAL_DELAY: "soon" }, "RATE_LIMIT_REFUSAL_DELAY"],
    [{ DATABASE_POOL_SIZE: "ten" }, "DATABASE_POOL_SIZE"],
    [{ TRUSTED_PROXIES: "10.0.0.1, proxy.internal" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "10.0.0.0/33" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "::1/129" }, "TRUSTED_PROXIES"],
  ])("rejects %j naming %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrowError(new RegExp(`Invalid configuration: ${variable} `));
  });

  it("rate limits are on by default, each configurable, and RATE_LIMITS=off turns them all off", () => {
    expect(loadConfig({}).rateLimits).toEqual({
      loginFailures: { count: 50, windowMs: 5 * 60_000 },
      loginBackoffAfter: 5,
      registrations: { count: 100, windowMs: 10 * 60_000 },
      flows: { count: 600, windowMs: 10 * 60_000 },
      adminFailures: { count: 20, windowMs: 5 * 60_000 },
      refusalDelayMs: 1_000,
    });
    expect(
      loadConfig({ RATE_LIMIT_FLOWS: "5/1h", LOGIN_BACKOFF_AFTER: "2", RATE_LIMIT_REFUSAL_DELAY: "0" }).rateLimits,
    ).toMatchObject({ flows: { count: 5, windowMs: 3_600_000 }, loginBackoffAfter: 2, refusalDelayMs: 0 });
    expect(loadConfig({ RATE_LIMIT_REFUSAL_DELAY: "250ms" }).rateLimits?.refusalDelayMs).toBe(250);
    expect(loadConfig({ RATE_LIMITS: "off" }).rateLimits).toBeUndefined();
  });

  it("reads the pool size and trusted proxies", () => {
    const config = loadConfig({ DATABASE_POOL_SIZE: "25", TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1, ::1" });
    expect(config.databasePoolSize).toBe(25);
    expect(config.trustedProxies.check("10.1.2.3", "ipv4")).toBe(true);
    expect(config.trustedProxies.check("127.0.0.1", "ipv4")).toBe(true);
    expect(config.trustedProxies.check("::1", "ipv6")).toBe(true);
    expect(config.trustedProxies.check("192.168.0.1", "ipv4")).toBe(false);
    expect(loadConfig({}).databasePoolSize).toBe(10);
    expect(loadConfig({}).trustedProxies.rules).toEqual([]);
  });

  it("starts in production with a real secret", () => {
    expect(loadConfig({ NODE_ENV: "production", COOKIE_SECRET: SECRET }).cookieSecret).toBe(SECRET);
  });

  describe("webhooks", () => {
    const WHSEC = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

    it("are off by default, with Standard Webhooks' usual retry schedule and a 5 s timeout", () => {
      const config = loadConfig({});
      expect(config.webhookUrls).toEqual([]);
      expect(config.webhookSecret).toBeUndefined();
      expect(config.webhookRetryScheduleMs).toEqual([5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000]);
      expect(config.webhookTimeoutMs).toBe(5_000);
    });

    it("reads the receivers, the secret, the schedule and the timeout", () => {
      const config = loadConfig({
        WEBHOOK_URLS: " https://hooks.example.com/logout?key=1 , http://10.0.0.5:8080/h#x",
        WEBHOOK_SECRET: WHSEC,
        WEBHOOK_RETRY_SCHEDULE: "1s, 1m30s,2h",
        WEBHOOK_TIMEOUT: "750ms",
      });
      expect(config.webhookUrls.map((url) => url.href)).toEqual([
        "https://hooks.example.com/logout?key=1",
        "http://10.0.0.5:8080/h",
      ]);
      expect(config.webhookSecret).toBe(WHSEC);
      expect(config.webhookRetryScheduleMs).toEqual([1_000, 90_000, 7_200_000]);
      expect(config.webhookTimeoutMs).toBe(750);
    });

    it("accept a secret without receivers (webhooks stay off)", () => {
      expect(loadConfig({ WEBHOOK_SECRET: WHSEC }).webhookUrls).toEqual([]);
    });

    const withSecret = (env: Record<string, string>) => ({ WEBHOOK_SECRET: WHSEC, ...env });
    it.each([
      [{ WEBHOOK_URLS: "https://hooks.example.com/" }, "WEBHOOK_SECRET must be set when WEBHOOK_URLS is"],
      [withSecret({ WEBHOOK_URLS: "https://ok.example.com/, not a url" }), "WEBHOOK_URLS contains an entry"],
      [withSecret({ WEBHOOK_URLS: "ftp://files.example.com/" }), "WEBHOOK_URLS must contain only http or https"],
      [withSecret({ WEBHOOK_URLS: "https://user:pw@hooks.example.com/" }), "WEBHOOK_URLS must not contain user info"],
      [withSecret({ WEBHOOK_URLS: "https://a.example/x,https://a.example/x" }), "WEBHOOK_URLS lists"],
      [{ WEBHOOK_SECRET: Buffer.alloc(32).toString("base64") }, "WEBHOOK_SECRET must be whsec_"],
      [{ WEBHOOK_SECRET: "whsec_not base64!" }, "WEBHOOK_SECRET must be whsec_"],
      [{ WEBHOOK_SECRET: "whsec_" }, "WEBHOOK_SECRET must be whsec_"],
      [
        { WEBHOOK_SECRET: `whsec_${Buffer.alloc(16).toString("base64")}` },
        "WEBHOOK_SECRET must encode 24 to 64 bytes, got 16",
      ],
      [
        { WEBHOOK_SECRET: `whsec_${Buffer.alloc(65).toString("base64")}` },
        "WEBHOOK_SECRET must encode 24 to 64 bytes, got 65",
      ],
      [{ WEBHOOK_RETRY_SCHEDULE: "5s,soon" }, "WEBHOOK_RETRY_SCHEDULE must be comma-separated positive durations"],
      [{ WEBHOOK_RETRY_SCHEDULE: "5s,0s" }, "WEBHOOK_RETRY_SCHEDULE must be comma-separated positive durations"],
      [{ WEBHOOK_RETRY_SCHEDULE: "5s,,30s" }, "WEBHOOK_RETRY_SCHEDULE must be comma-separated positive durations"],
      [{ WEBHOOK_TIMEOUT: "0s" }, "WEBHOOK_TIMEOUT must be a positive duration"],
      [{ WEBHOOK_TIMEOUT: "2m" }, "WEBHOOK_TIMEOUT must be at most 60s"],
    ])("rejects %j: %s", (env, message) => {
      expect(() => loadConfig(env)).toThrowError(`Invalid configuration: ${message}`);
    });

    it("never repeats the secret in an error", () => {
      const secret = `whsec_${Buffer.alloc(8, 1).toString("base64")}`;
      expect(() => loadConfig({ WEBHOOK_SECRET: secret })).toThrowError(
        expect.objectContaining({ message: expect.not.stringContaining(secret.slice(6)) }),
      );
    });
  });

  describe("the admin API token", () => {
    const TOKEN = "admin-0123456789abcdef0123456789abcdef";

    it("is unset by default: the admin API is off", () => {
      expect(loadConfig({}).adminApiToken).toBeUndefined();
      expect(loadConfig({ ADMIN_API_TOKEN: "  " }).adminApiToken).toBeUndefined();
    });

    it("reads a token of 32 characters or more", () => {
      expect(loadConfig({ ADMIN_API_TOKEN: TOKEN }).adminApiToken).toBe(TOKEN);
      expect(loadConfig({ ADMIN_API_TOKEN: "x".repeat(32) }).adminApiToken).toBe("x".repeat(32));
    });

    it.each([
      ["x".repeat(31), "ADMIN_API_TOKEN must be at least 32 characters long, got 31"],
      ["short", "ADMIN_API_TOKEN must be at least 32 characters long, got 5"],
      [`${TOKEN} ${TOKEN}`, "ADMIN_API_TOKEN must be printable ASCII without spaces"],
      [`${TOKEN}\u00e9`, "ADMIN_API_TOKEN must be printable ASCII without spaces"],
    ])("rejects %j: %s", (token, message) => {
      expect(() => loadConfig({ ADMIN_API_TOKEN: token })).toThrowError(`Invalid configuration: ${message}`);
    });

    it("never repeats the token in an error", () => {
      const token = "secret-but-too-short";
      expect(() => loadConfig({ ADMIN_API_TOKEN: token })).toThrowError(
        expect.objectContaining({ message: expect.not.stringContaining(token) }),
      );
    });
  });
});
