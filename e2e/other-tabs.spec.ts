// Other tabs of the app notice a sign-out and stop showing the signed-in view.

import { test } from "@playwright/test";
import { expectHydratedSignedInHome, expectSignedOutHome, signUp } from "./app";

test("a second tab notices the sign-out and shows the signed-out view", async ({ page, context }) => {
  await signUp(page);
  const otherTab = await context.newPage();
  await otherTab.goto("/");
  await expectHydratedSignedInHome(otherTab);

  await page.bringToFront();
  await page.getByRole("link", { name: "Sign out", exact: true }).click();
  await expectSignedOutHome(page);

  // No reload, no focus change: the first tab's broadcast makes the second one re-check.
  await expectSignedOutHome(otherTab);
});
