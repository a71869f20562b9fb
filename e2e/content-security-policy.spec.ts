// Every page runs under a Content-Security-Policy whose script nonce changes per request, and the
// app works under it: React hydrates, both Sign Out variants run, and the browser reports nothing.

import { expect, test } from "@playwright/test";
import { expectSignedOutHome, signUp } from "./app";

test("pages send a per-request nonce policy and cause no violation from sign-up to AJAX sign-out", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });

  const first = await page.goto("/login");
  const second = await page.goto("/login");
  const policies = [first, second].map((response) => response?.headers()["content-security-policy"] ?? "");
  for (const policy of policies) {
    expect(policy).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
  }
  expect(policies[0]).not.toBe(policies[1]);

  // Hydrated (the AJAX button enables only then): Next's scripts ran with the nonce.
  await signUp(page);
  await page.goto("/sessions");
  await expect(page.getByTestId("devices-page")).toBeVisible();
  await page.goto("/");
  await page.getByRole("button", { name: "Sign out (AJAX)" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expectSignedOutHome(page);

  expect(violations).toEqual([]);
});
