// The AJAX variant: fetch the logout URL with Accept: application/json, expect 204, leave for /login.

import { expect, test, type Route } from "@playwright/test";
import { saveScreenshot, sessionCookie, signUp } from "./app";

const isLogout = (url: URL | string) => new URL(url).pathname === "/self-service/logout";

test("AJAX Sign Out → the logout URL answers 204 and the page leaves for /login", async ({ page, context }) => {
  await signUp(page);
  const created = page.waitForResponse(
    (response) => new URL(response.url()).pathname === "/self-service/logout/browser",
  );
  const logout = page.waitForResponse((response) => isLogout(response.url()));

  await page.getByRole("button", { name: "Sign out (AJAX)" }).click();

  expect((await created).status()).toBe(200);
  const response = await logout;
  expect(response.status()).toBe(204);
  expect(response.request().headers()["accept"]).toBe("application/json");
  await expect(page).toHaveURL(/\/login\?flow=[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(await sessionCookie(context)).toBeUndefined();
});

const failures: Array<{ name: string; answer: (route: Route) => Promise<void>; reason: RegExp }> = [
  {
    name: "500",
    answer: (route) => route.fulfill({ status: 500, contentType: "text/html", body: "<h1>Bad gateway</h1>" }),
    reason: /the server had a problem \(HTTP 500\)/,
  },
  {
    name: "410 (link expired)",
    answer: (route) =>
      route.fulfill({
        status: 410,
        json: { error: { id: "self_service_flow_expired", code: 410, status: "Gone", message: "flow expired" } },
      }),
    reason: /the sign-out link expired before it was used/,
  },
  {
    name: "no answer (network down)",
    answer: (route) => route.abort("internetdisconnected"),
    reason: /the server could not be reached/,
  },
];

for (const { name, answer, reason } of failures) {
  test(`AJAX Sign Out answered ${name} → says why, stays on the page, signed in; retry by keyboard works`, async ({
    page,
    context,
  }, testInfo) => {
    await signUp(page);
    await page.route(isLogout, answer);

    const button = page.getByRole("button", { name: "Sign out (AJAX)" });
    await button.click();

    // Next renders an empty route announcer with role=alert too: look for ours by its text.
    const alert = page.getByRole("alert").filter({ hasText: "Sign out did not complete" });
    await expect(alert).toContainText(reason);
    await expect(alert).toContainText("You are still signed in.");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { name: "You are signed in" })).toBeVisible();
    expect(await sessionCookie(context)).toBeDefined();
    expect((await page.request.get("/sessions/whoami")).status()).toBe(200);
    await saveScreenshot(page, testInfo, `home-ajax-failed-${name.split(" ")[0]}`);

    // Focus stayed on the button, so a keyboard user can simply try again.
    await page.unroute(isLogout, answer);
    await expect(button).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/login\?flow=/);
    expect(await sessionCookie(context)).toBeUndefined();
  });
}
