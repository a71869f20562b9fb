// What the browser tests know about the app under test, and the one way they get a signed-in user.

import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { test as base, expect, type BrowserContext, type Page, type TestInfo } from "@playwright/test";

export const SESSION_COOKIE = "ory_kratos_session";

/** The app behind the Ory Elements UI (playwright.config.ts, project "ory-elements"). */
export const ORY_ELEMENTS_APP_URL = `http://localhost:${Number(process.env.E2E_PORT ?? 3100) + 2}`;

/** LOGOUT_TOKEN_TTL of the second server (playwright.config.ts), used by logout-expiry.spec.ts. */
export const SHORT_LOGOUT_TOKEN_TTL_MS = 2_000;

export const PASSWORD = "correct horse battery staple";

/** Creates an account through the registration form, which signs the browser in and lands on `/`. */
export async function signUp(page: Page): Promise<string> {
  const email = `e2e-${randomUUID()}@example.com`;
  await page.goto("/registration");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expectHydratedSignedInHome(page);
  return email;
}

/**
 * The signed-in home page, hydrated: the AJAX button turns enabled only then, and by then every
 * effect of the first render has run (the SessionWatcher listens), so tests never race React.
 */
export async function expectHydratedSignedInHome(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { name: "You are signed in" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out (AJAX)" })).toBeEnabled();
}

/** Signs in an existing account through the login form. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expectHydratedSignedInHome(page);
}

/** Opens a page on a device of its own: a browser context, which shares no cookies with the others. */
export type NewDevice = () => Promise<Page>;

/** Playwright's `test`, with `newDevice` (the devices' contexts close when the test ends). */
export const test = base.extend<{ newDevice: NewDevice }>({
  newDevice: async ({ browser }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async () => {
      const context = await browser.newContext();
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

/** One user signed in on `count` new devices (signed up on the first), each on the home page. */
export async function oneUserOn(newDevice: NewDevice, count: number): Promise<{ devices: Page[]; email: string }> {
  const devices = [];
  for (let i = 0; i < count; i++) devices.push(await newDevice());
  const email = await signUp(devices[0]!);
  for (const device of devices.slice(1)) await signIn(device, email);
  return { devices, email };
}

export async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
}

/** The signed-out home page, as a user sees it. */
export async function expectSignedOutHome(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { name: "You are signed out" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
  await expect(page.getByTestId("signed-in")).toHaveCount(0);
}

/**
 * A full-page screenshot, attached to the HTML report and kept as a file under
 * test-results/screenshots/, where people (and reviewers) can look at it without the report.
 */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = join(testInfo.project.outputDir, "screenshots", `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** The app server with the admin API on (playwright.config.ts, project "admin"), and its token. */
export const ADMIN_APP_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 4}`;
export const ADMIN_API_TOKEN = "e2e-admin-api-token-that-is-long-enough-0123456789";
