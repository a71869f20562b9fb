import { defineConfig, devices } from "@playwright/test";
import { findChromium } from "./scripts/ensure-test-tools.mjs";
import { databaseUrl } from "./scripts/postgres-sandbox.mjs";
import { ADMIN_API_TOKEN, ADMIN_APP_URL, ORY_ELEMENTS_APP_URL, SHORT_LOGOUT_TOKEN_TTL_MS } from "./e2e/app";

// The same tests on either database: TEST_DATABASE=postgres puts the servers' databases on the
// PostgreSQL server TEST_POSTGRES_URL names (npm test starts one); otherwise SQLite files.
const DATABASE = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";
if (DATABASE === "postgres" && !process.env.TEST_POSTGRES_URL) {
  throw new Error("TEST_DATABASE=postgres needs TEST_POSTGRES_URL (npm test starts a server and sets it).");
}
const database = (name: string) =>
  DATABASE === "postgres" ? databaseUrl(process.env.TEST_POSTGRES_URL!, `e2e_${name}`) : `file:./e2e/.data/${name}.db`;

const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;
// A second server whose logout links expire after two seconds, so the expiry test waits two
// seconds instead of fifteen minutes, and no other test races a short-lived link.
const SHORT_TTL_PORT = PORT + 1;
const SHORT_TTL_URL = `http://127.0.0.1:${SHORT_TTL_PORT}`;

// Ory Elements (e2e/ory-elements/) on a second origin in front of a third app server. Both are
// "localhost", so the app's cookie is same-site for the UI and is sent with its CORS requests.
const ORY_ELEMENTS_UI_PORT = PORT + 3;
const ORY_ELEMENTS_UI_URL = `http://localhost:${ORY_ELEMENTS_UI_PORT}`;

const chromiumPath: string | undefined = findChromium()?.path;

// On PostgreSQL run only the browser tests of what goes through the database differently there
// (signing in and out, the devices page, live sign-out across the feed, operators); the page's
// layout and CSP, tabs talking over BroadcastChannel, Ory Elements and the logout link's expiry
// depend on no database behaviour and run once, on SQLite, keeping `npm test` short; so do the AJAX
// button's failures, whose answers the test makes up in the browser, and the tabs sharing one
// stream or falling back to whoami, which happen in the browser.
const ON_SQLITE_ONLY = /look\.spec\.ts|content-security-policy\.spec\.ts|other-tabs\.spec\.ts/;
const ON_SQLITE_ONLY_TITLES = /AJAX Sign Out answered |one stream per browser|without EventSource/;
// The SQLite run is the full set; the PostgreSQL run leaves out the above.
const fullSet = DATABASE === "sqlite";

/** The production server (scripts/serve.mjs) on an emptied, migrated database. */
function server(port: number, baseUrl: string, databaseName: string, env: Record<string, string> = {}) {
  return {
    command: "node scripts/serve.mjs --reset-database",
    url: `${baseUrl}/health/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: database(databaseName),
      PUBLIC_BASE_URL: baseUrl,
      COOKIE_SECRET: "e2e-cookie-secret-that-is-long-enough-0123456789",
      ...env,
    },
  };
}

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: chromiumPath,
    // The machines this runs on have no network beyond the app: keep Chromium from trying.
    args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  },
};

export default defineConfig({
  testDir: "e2e",
  // Every test signs up its own account, so tests share a server without sharing state.
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  reporter: [["list"], ["html", { open: "never", outputFolder: `playwright-report/${DATABASE}` }]],
  outputDir: `test-results/${DATABASE}`,
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      testIgnore: [
        /logout-expiry\.spec\.ts|ory-elements\.spec\.ts|admin-sign-out\.spec\.ts/,
        ...(fullSet ? [] : [ON_SQLITE_ONLY]),
      ],
      ...(fullSet ? {} : { grepInvert: ON_SQLITE_ONLY_TITLES }),
      use: { ...chromium, baseURL: BASE_URL },
    },
    ...(fullSet
      ? [
          {
            name: "short-logout-ttl",
            testMatch: /logout-expiry\.spec\.ts/,
            use: { ...chromium, baseURL: SHORT_TTL_URL },
          },
          {
            name: "ory-elements",
            testMatch: /ory-elements\.spec\.ts/,
            use: { ...chromium, baseURL: ORY_ELEMENTS_UI_URL },
          },
        ]
      : []),
    {
      name: "admin",
      testMatch: /admin-sign-out\.spec\.ts/,
      use: { ...chromium, baseURL: ADMIN_APP_URL },
    },
  ],
  webServer: [
    server(PORT, BASE_URL, "main"),
    ...(fullSet
      ? [
          server(SHORT_TTL_PORT, SHORT_TTL_URL, "short_ttl", {
            LOGOUT_TOKEN_TTL: `${SHORT_LOGOUT_TOKEN_TTL_MS / 1000}s`,
          }),
          {
            ...server(PORT + 2, ORY_ELEMENTS_APP_URL, "ory_elements", {
              LOGIN_UI_URL: `${ORY_ELEMENTS_UI_URL}/login`,
              REGISTRATION_UI_URL: `${ORY_ELEMENTS_UI_URL}/registration`,
              ERROR_UI_URL: `${ORY_ELEMENTS_UI_URL}/error`,
              DEFAULT_BROWSER_RETURN_URL: `${ORY_ELEMENTS_UI_URL}/`,
              ALLOWED_RETURN_URLS: ORY_ELEMENTS_UI_URL,
              CORS_ALLOWED_ORIGINS: ORY_ELEMENTS_UI_URL,
            }),
            // The server listens on 127.0.0.1; "localhost" might resolve to ::1 first.
            url: `http://127.0.0.1:${PORT + 2}/health/ready`,
          },
          {
            command: "node e2e/ory-elements/serve.mjs",
            url: `http://127.0.0.1:${ORY_ELEMENTS_UI_PORT}/health`,
            reuseExistingServer: false,
            timeout: 60_000,
            env: { PORT: String(ORY_ELEMENTS_UI_PORT), ORY_SDK_URL: ORY_ELEMENTS_APP_URL },
          },
        ]
      : []),
    // The admin API on (issue 16): an operator's revocation reaches the user's open pages.
    server(PORT + 4, ADMIN_APP_URL, "admin", { ADMIN_API_TOKEN }),
  ],
});
