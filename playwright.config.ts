import { defineConfig, devices } from "@playwright/test";
// @ts-expect-error -- a plain .mjs script, shared with `npm test`'s browser check
import { findChromium } from "./scripts/ensure-test-tools.mjs";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const chromiumPath: string | undefined = findChromium()?.path;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromiumPath,
          // The machines this runs on have no network beyond the app: keep Chromium from trying.
          args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        },
      },
    },
  ],
  webServer: {
    // A fresh database for every run, migrated, against the production build.
    command: `rm -f e2e/.data/e2e.db* && npx prisma migrate deploy && node server.mjs`,
    url: `${BASE_URL}/health/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      NODE_ENV: "production",
      PORT: String(PORT),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: "file:./e2e/.data/e2e.db",
      PUBLIC_BASE_URL: BASE_URL,
      COOKIE_SECRET: "e2e-cookie-secret-that-is-long-enough-0123456789",
      LOGOUT_TOKEN_TTL: process.env.E2E_LOGOUT_TOKEN_TTL ?? "15m",
    },
  },
});
