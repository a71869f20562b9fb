// How the pages look: screenshots for the report, a phone-sized screen, keyboard entry points.

import { expect, test } from "@playwright/test";
import { saveScreenshot, signUp } from "./app";

test("screenshots of / signed in, /login and /error", async ({ page }, testInfo) => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await saveScreenshot(page, testInfo, "login");

  await signUp(page);
  await saveScreenshot(page, testInfo, "home-signed-in");

  // A logout URL without its token: the error page explains and offers a fresh link.
  await page.goto("/self-service/logout");
  await expect(page.getByRole("heading", { name: "That did not work" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign out now" })).toBeVisible();
  await saveScreenshot(page, testInfo, "error");
});

test("every page fits a phone screen without sideways scrolling", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const fitsTheScreen = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  await page.goto("/login");
  expect(await fitsTheScreen()).toBe(true);
  await signUp(page);
  expect(await fitsTheScreen()).toBe(true);
  await saveScreenshot(page, testInfo, "home-signed-in-phone");
  await page.goto("/self-service/logout");
  await expect(page.getByRole("link", { name: "Sign out now" })).toBeVisible();
  expect(await fitsTheScreen()).toBe(true);
});

test("the first Tab reaches a skip link that moves focus to the content", async ({ page }) => {
  await page.goto("/login");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Email")).toBeFocused();
});
