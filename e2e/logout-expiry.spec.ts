// Runs against the second server (playwright.config.ts), whose logout links live two seconds.

import { expect, test } from "@playwright/test";
import { expectSignedOutHome, saveScreenshot, sessionCookie, SHORT_LOGOUT_TOKEN_TTL_MS, signUp } from "./app";

test("an expired logout link → the error page, whose fresh Sign Out link works", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  const email = await signUp(page);

  // Expiry itself is under test: the only place the suite waits for time to pass.
  await page.waitForTimeout(SHORT_LOGOUT_TOKEN_TTL_MS + 500);
  await page.getByRole("link", { name: "Sign out", exact: true }).click();

  await expect(page).toHaveURL(/\/error\?id=[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { name: "This link has expired" })).toBeVisible();
  await expect(page.getByText(`You are still signed in as ${email}`)).toBeVisible();
  expect(await sessionCookie(context)).toBeDefined();
  await saveScreenshot(page, testInfo, "error-expired-link");

  await page.getByRole("link", { name: "Sign out now" }).click();
  await expect(page).toHaveURL(`${baseURL}/`);
  await expectSignedOutHome(page);
  expect(await sessionCookie(context)).toBeUndefined();
});
