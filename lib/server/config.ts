// Configuration: read from the environment and validated once, on first use (and at server start,
// see instrumentation.ts), so a bad value stops the app with a message that names the variable.
// Every other module imports `config()` from here and never reads process.env itself.

import { BlockList, isIP } from "node:net";
import { durationToMs } from "./duration";

/** An ALLOWED_RETURN_URLS entry. `*.example.com` is stored as `example.com` with `subdomains: true`. */
export type AllowedReturnUrl = { url: URL; subdomains: boolean };

/**
 * A CORS_ALLOWED_ORIGINS entry: scheme, host and port. `https://*.example.com` is stored as
 * `example.com` with `subdomains: true`.
 */
export type AllowedOrigin = { protocol: string; hostname: string; port: string; subdomains: boolean };

export type Config = {
  /** serve.public.base_url: logout_url and ui.action are built from it. No trailing slash. */
  publicBaseUrl: URL;
  /** dsn: `file:…` for SQLite, `postgres://…` or `postgresql://…` for PostgreSQL */
  databaseUrl: string;
  /** PostgreSQL only: connections per process. */
  databasePoolSize: number;
  /** secrets.cookie: seals the session cookie and signs logout tokens. */
  cookieSecret: string;
  /** session.cookie.name */
  sessionCookieName: string;
  /** session.lifespan, in milliseconds */
  sessionLifespanMs: number;
  /** How long a logout URL stays usable, in milliseconds. */
  logoutTokenTtlMs: number;
  /** selfservice.flows.{login,registration}.lifespan, in milliseconds */
  flowLifespanMs: number;
  /** selfservice.default_browser_return_url */
  defaultBrowserReturnUrl: URL;
  /** selfservice.flows.logout.after.default_browser_return_url, falling back to the general one */
  logoutDefaultBrowserReturnUrl: URL;
  /** selfservice.allowed_return_urls */
  allowedReturnUrls: AllowedReturnUrl[];
  /** selfservice.flows.login.ui_url: where a browser is sent to show a login flow (`?flow=` appended). */
  loginUiUrl: URL;
  /** selfservice.flows.registration.ui_url */
  registrationUiUrl: URL;
  /** selfservice.flows.error.ui_url: where a browser is sent to show a stored error (`?id=` appended). */
  errorUiUrl: URL;
  /** serve.public.cors.allowed_origins: origins whose pages may call the API with credentials. Empty: CORS off. */
  corsAllowedOrigins: AllowedOrigin[];
  /** selfservice.flows.logout.clear_browser_data */
  logoutClearBrowserData: boolean;
  /** How long ended sessions, expired flows and stored errors are kept before housekeeping deletes them. */
  retentionMs: number;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (TRUSTED_PROXIES). */
  trustedProxies: BlockList;
  /** Run housekeeping inside the server this often; 0 turns the timer off. */
  cleanupIntervalMs: number;
  /** Where session events are POSTed (WEBHOOK_URLS); empty turns webhooks off. */
  webhookUrls: URL[];
  /** The Standard Webhooks signing secret, `whsec_` + base64; set whenever webhookUrls is not empty. */
  webhookSecret: string | undefined;
  /** The waits between attempts, in milliseconds: one entry per retry after the first attempt. */
  webhookRetryScheduleMs: number[];
  /** How long one delivery attempt may take, in milliseconds. */
  webhookTimeoutMs: number;
  /** The abuse limits (RATE_LIMITS=off: none), shared by every instance through the database. */
  rateLimits: RateLimits | undefined;
  /** The bearer token of the admin API (/admin/*); undefined turns the admin API off (every path 404). */
  adminApiToken: string | undefined;
  port: number;
};

/** At most `count` events per `windowMs` (a fixed window). */
export type Limit = { count: number; windowMs: number };

export type RateLimits = {
  /** Failed sign-ins per client address. */
  loginFailures: Limit;
  /** Failed sign-ins one identifier may have before each further attempt waits, twice as long each time. */
  loginBackoffAfter: number;
  /** Registrations per client address. */
  registrations: Limit;
  /** New login and registration flows per client address: each is a row in the database. */
  flows: Limit;
  /** Requests with a wrong admin API token per client address. */
  adminFailures: Limit;
  /** How long a refusal (429) waits before it is answered, in milliseconds. */
  refusalDelayMs: number;
};

/** Only for local development and tests; a production start refuses to use it. */
const DEVELOPMENT_COOKIE_SECRET = "development-only-cookie-secret-do-not-use-in-production";

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function absoluteUrl(env: Env, name: string, fallback: string): URL {
  const raw = read(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `must be an http or https URL, got ${JSON.stringify(raw)}`);
  }
  return url;
}

/** A duration in milliseconds; `0` too where `zero` says what it means; at most `maxMs` if given. */
function duration(
  env: Env,
  name: string,
  fallback: string,
  { zero = false, maxMs }: { zero?: boolean; maxMs?: number } = {},
): number {
  const raw = read(env, name) ?? fallback;
  if (zero && raw === "0") return 0;
  const ms = durationToMs(raw);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(name, `must be a positive duration such as 24h, 15m or 2s, got ${JSON.stringify(raw)}`);
  }
  if (maxMs !== undefined && ms > maxMs) {
    throw new ConfigError(name, `must be at most ${maxMs / 1000}s, got ${JSON.stringify(raw)}`);
  }
  return ms;
}

function wholeNumber(env: Env, name: string, fallback: number, { min, max }: { min: number; max: number }): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** "10.0.0.1, 10.1.0.0/16, ::1": addresses and CIDR ranges, IPv4 or IPv6. */
function addressList(env: Env, name: string): BlockList {
  const list = new BlockList();
  for (const entry of (read(env, name) ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    const bits = prefix === undefined ? undefined : Number(prefix);
    const valid =
      isIP(address) !== 0 &&
      rest.length === 0 &&
      (bits === undefined || (/^\d+$/.test(prefix!) && bits <= (family === "ipv6" ? 128 : 32)));
    if (!valid) throw new ConfigError(name, `must list IP addresses or CIDR ranges, got ${JSON.stringify(entry)}`);
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  return list;
}

/** "50/5m": 50 per 5 minutes. */
function limit(env: Env, name: string, fallback: string): Limit {
  const raw = read(env, name) ?? fallback;
  const [count = "", window = ""] = raw.split("/");
  const windowMs = durationToMs(window);
  if (!/^\d{1,9}$/.test(count) || Number(count) < 1 || windowMs === undefined || windowMs <= 0) {
    throw new ConfigError(name, `must be a count per duration such as 50/5m, got ${JSON.stringify(raw)}`);
  }
  return { count: Number(count), windowMs };
}

function rateLimits(env: Env): RateLimits | undefined {
  const switched = read(env, "RATE_LIMITS")?.toLowerCase() ?? "on";
  if (switched === "off") return undefined;
  if (switched !== "on") throw new ConfigError("RATE_LIMITS", `must be on or off, got ${JSON.stringify(switched)}`);
  return {
    loginFailures: limit(env, "RATE_LIMIT_LOGIN_FAILURES", "50/5m"),
    loginBackoffAfter: wholeNumber(env, "LOGIN_BACKOFF_AFTER", 5, { min: 1, max: 1000 }),
    registrations: limit(env, "RATE_LIMIT_REGISTRATIONS", "100/10m"),
    flows: limit(env, "RATE_LIMIT_FLOWS", "600/10m"),
    adminFailures: limit(env, "RATE_LIMIT_ADMIN_FAILURES", "20/5m"),
    // 0 answers refusals at once; at most 10 s, as each waiting refusal holds a connection.
    refusalDelayMs: duration(env, "RATE_LIMIT_REFUSAL_DELAY", "1s", { zero: true, maxMs: 10_000 }),
  };
}

function boolean(env: Env, name: string): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new ConfigError(name, `must be true or false, got ${JSON.stringify(raw)}`);
}

/** At most this long per attempt: a claimed delivery is held for about this long (see webhooks/delivery.ts). */
const WEBHOOK_TIMEOUT_MAX_MS = 60_000;

function webhookUrls(env: Env): URL[] {
  const entries = (read(env, "WEBHOOK_URLS") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const urls = entries.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError("WEBHOOK_URLS", `contains an entry that is not an absolute URL: ${JSON.stringify(entry)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigError("WEBHOOK_URLS", `must contain only http or https URLs, got ${JSON.stringify(entry)}`);
    }
    // Credentials in a URL would end up in logs and in the CLI's output: receivers authenticate
    // the sender by the signature instead.
    if (url.username || url.password) {
      throw new ConfigError("WEBHOOK_URLS", `must not contain user info: ${JSON.stringify(url.host)}`);
    }
    url.hash = "";
    return url;
  });
  const seen = new Set<string>();
  for (const url of urls) {
    // A receiver listed twice would get every event twice.
    if (seen.has(url.href)) throw new ConfigError("WEBHOOK_URLS", `lists ${JSON.stringify(url.href)} twice`);
    seen.add(url.href);
  }
  return urls;
}

/**
 * The Standard Webhooks secret format: `whsec_` and the base64 of the key's bytes. The specification
 * asks for 24 to 64 random bytes; a shorter key would make the HMAC guessable.
 */
function webhookSecret(env: Env, urls: URL[]): string | undefined {
  const secret = read(env, "WEBHOOK_SECRET");
  if (secret === undefined) {
    if (urls.length > 0) {
      throw new ConfigError(
        "WEBHOOK_SECRET",
        "must be set when WEBHOOK_URLS is (whsec_ + base64 of 24 to 64 random bytes)",
      );
    }
    return undefined;
  }
  const base64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : undefined;
  const bytes =
    base64 !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(base64) && base64.length % 4 === 0
      ? Buffer.from(base64, "base64").length
      : undefined;
  // Only the shape is ever reported: the value itself is never echoed.
  if (bytes === undefined) {
    throw new ConfigError("WEBHOOK_SECRET", "must be whsec_ followed by the base64 of 24 to 64 random bytes");
  }
  if (bytes < 24 || bytes > 64) {
    throw new ConfigError("WEBHOOK_SECRET", `must encode 24 to 64 bytes, got ${bytes}`);
  }
  return secret;
}

function durationList(env: Env, name: string, fallback: string): number[] {
  const raw = read(env, name) ?? fallback;
  return raw.split(",").map((entry) => {
    const ms = durationToMs(entry.trim());
    if (ms === undefined || ms <= 0) {
      throw new ConfigError(
        name,
        `must be comma-separated positive durations such as 5s,30s,2m, got ${JSON.stringify(raw)}`,
      );
    }
    return ms;
  });
}

/**
 * A comma-separated list of origins (`https://ui.example.com`, `http://localhost:4455`,
 * `https://*.example.com`). Credentialed CORS names each origin it trusts, so "*" is refused.
 */
function allowedOrigins(env: Env, name: string): AllowedOrigin[] {
  return (read(env, name) ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry): AllowedOrigin => {
      if (entry === "*") {
        throw new ConfigError(name, 'must list origins: "*" would let every site read signed-in answers');
      }
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ConfigError(
          name,
          `contains an entry that is not an origin such as https://ui.example.com: ${JSON.stringify(entry)}`,
        );
      }
      const originOnly = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
      if ((url.protocol !== "http:" && url.protocol !== "https:") || !originOnly) {
        throw new ConfigError(name, `must list origins only (scheme, host, port; no path): ${JSON.stringify(entry)}`);
      }
      const subdomains = url.hostname.startsWith("*.");
      const hostname = subdomains ? url.hostname.slice(2) : url.hostname;
      if (hostname.includes("*") || hostname === "") {
        throw new ConfigError(name, `may use "*" only as the first label of a host: ${JSON.stringify(entry)}`);
      }
      return { protocol: url.protocol, hostname, port: url.port, subdomains };
    });
}

/** Shorter than this, a token could be guessed by trying: the admin API ends anyone's sessions. */
const ADMIN_API_TOKEN_MIN_LENGTH = 32;

function adminApiToken(env: Env): string | undefined {
  const token = read(env, "ADMIN_API_TOKEN");
  if (token === undefined) return undefined;
  // Only the length and the shape are ever reported: the value itself is never echoed.
  if (token.length < ADMIN_API_TOKEN_MIN_LENGTH) {
    throw new ConfigError(
      "ADMIN_API_TOKEN",
      `must be at least ${ADMIN_API_TOKEN_MIN_LENGTH} characters long, got ${token.length}`,
    );
  }
  // It travels as `Authorization: Bearer <token>`: a space or a control character could never match.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError("ADMIN_API_TOKEN", "must be printable ASCII without spaces (it is sent as a Bearer token)");
  }
  return token;
}

export function loadConfig(env: Env = process.env): Config {
  const portRaw = read(env, "PORT") ?? "3000";
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError("PORT", `must be a TCP port number, got ${JSON.stringify(portRaw)}`);
  }

  const publicBaseUrl = absoluteUrl(env, "PUBLIC_BASE_URL", `http://localhost:${port}`);
  if (publicBaseUrl.search || publicBaseUrl.hash || publicBaseUrl.username || publicBaseUrl.password) {
    throw new ConfigError("PUBLIC_BASE_URL", "must not carry a query, fragment or user info");
  }
  // Paths are appended to the base URL; keep it without a trailing slash.
  publicBaseUrl.pathname = publicBaseUrl.pathname.replace(/\/+$/, "");

  const cookieSecret = read(env, "COOKIE_SECRET");
  if (cookieSecret === undefined && env.NODE_ENV === "production") {
    throw new ConfigError("COOKIE_SECRET", "must be set in production (at least 32 random characters)");
  }
  if (cookieSecret !== undefined && cookieSecret.length < 32) {
    throw new ConfigError("COOKIE_SECRET", `must be at least 32 characters long, got ${cookieSecret.length}`);
  }

  const sessionCookieName = read(env, "SESSION_COOKIE_NAME") ?? "ory_kratos_session";
  // RFC 6265 token characters only: anything else would break the Set-Cookie header.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(sessionCookieName)) {
    throw new ConfigError(
      "SESSION_COOKIE_NAME",
      `must be a valid cookie name, got ${JSON.stringify(sessionCookieName)}`,
    );
  }

  const defaultBrowserReturnUrl = absoluteUrl(
    env,
    "DEFAULT_BROWSER_RETURN_URL",
    `${publicBaseUrl.href.replace(/\/+$/, "")}/`,
  );
  const logoutDefaultBrowserReturnUrl = absoluteUrl(
    env,
    "LOGOUT_DEFAULT_BROWSER_RETURN_URL",
    defaultBrowserReturnUrl.href,
  );

  const allowedReturnUrls = (read(env, "ALLOWED_RETURN_URLS") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry): AllowedReturnUrl => {
      // "https://*.example.com/app" allows subdomains of example.com; WHATWG URL parsing keeps
      // the "*" label as is, so strip it after parsing.
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ConfigError(
          "ALLOWED_RETURN_URLS",
          `contains an entry that is not an absolute URL: ${JSON.stringify(entry)}`,
        );
      }
      if (url.username || url.password) {
        throw new ConfigError("ALLOWED_RETURN_URLS", `must not contain user info: ${JSON.stringify(entry)}`);
      }
      const subdomains = url.hostname.startsWith("*.");
      if (subdomains) url.hostname = url.hostname.slice(2);
      if (url.hostname.includes("*")) {
        throw new ConfigError(
          "ALLOWED_RETURN_URLS",
          `may use "*" only as the first label of a host: ${JSON.stringify(entry)}`,
        );
      }
      return { url, subdomains };
    });

  const urls = webhookUrls(env);
  const webhookTimeoutMs = duration(env, "WEBHOOK_TIMEOUT", "5s", { maxMs: WEBHOOK_TIMEOUT_MAX_MS });
  // The UIs default to this app's own pages.
  const ownPage = (path: string) => `${publicBaseUrl.href.replace(/\/+$/, "")}${path}`;

  return {
    publicBaseUrl,
    databaseUrl: read(env, "DATABASE_URL") ?? "file:./data/app.db",
    databasePoolSize: wholeNumber(env, "DATABASE_POOL_SIZE", 10, { min: 1, max: 1000 }),
    cookieSecret: cookieSecret ?? DEVELOPMENT_COOKIE_SECRET,
    sessionCookieName,
    sessionLifespanMs: duration(env, "SESSION_LIFESPAN", "24h"),
    logoutTokenTtlMs: duration(env, "LOGOUT_TOKEN_TTL", "15m"),
    flowLifespanMs: duration(env, "FLOW_LIFESPAN", "1h"),
    defaultBrowserReturnUrl,
    logoutDefaultBrowserReturnUrl,
    allowedReturnUrls,
    loginUiUrl: absoluteUrl(env, "LOGIN_UI_URL", ownPage("/login")),
    registrationUiUrl: absoluteUrl(env, "REGISTRATION_UI_URL", ownPage("/registration")),
    errorUiUrl: absoluteUrl(env, "ERROR_UI_URL", ownPage("/error")),
    corsAllowedOrigins: allowedOrigins(env, "CORS_ALLOWED_ORIGINS"),
    logoutClearBrowserData: boolean(env, "LOGOUT_CLEAR_BROWSER_DATA"),
    trustedProxies: addressList(env, "TRUSTED_PROXIES"),
    retentionMs: duration(env, "RETENTION", "168h"),
    cleanupIntervalMs: duration(env, "CLEANUP_INTERVAL", "1h", { zero: true }),
    webhookUrls: urls,
    webhookSecret: webhookSecret(env, urls),
    webhookRetryScheduleMs: durationList(env, "WEBHOOK_RETRY_SCHEDULE", "5s,30s,2m,10m,1h,6h"),
    webhookTimeoutMs,
    rateLimits: rateLimits(env),
    adminApiToken: adminApiToken(env),
    port,
  };
}

let loaded: Config | undefined;

/** The validated configuration, read from the environment the first time it is asked for. */
export function config(): Config {
  loaded ??= loadConfig();
  return loaded;
}

/** An absolute URL of this app: `publicUrl("/self-service/logout")`, honouring a base path. */
export function publicUrl(path: string): URL {
  const base = config().publicBaseUrl;
  return new URL(base.pathname.replace(/\/+$/, "") + path, base.origin);
}
