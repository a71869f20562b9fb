// The devices page at /sessions with two browsers of one user: signing out the other device from
// the first ends the second's session, which its very next navigation shows.

import { expect } from "@playwright/test";
import { oneUserOn, signUp, test, type NewDevice } from "./app";

/** One user, signed in on two separate browsers. */
async function twoDevices(newDevice: NewDevice) {
  const [first, second] = (await oneUserOn(newDevice, 2)).devices;
  return { first: first!, second: second! };
}

test("sign out the other device from the devices page; its next navigation is signed out", async ({ newDevice }) => {
  const { first, second } = await twoDevices(newDevice);

  await first.goto("/");
  await first.getByRole("link", { name: "Your devices and sessions" }).click();
  await expect(first).toHaveURL(/\/sessions$/);
  await expect(first.getByTestId("current-device")).toContainText("This device");
  const other = first.getByTestId("other-device");
  await expect(other).toHaveCount(1);
  await expect(other).toContainText(/on Linux|on macOS|on Windows/);
  await expect(other).toContainText("signed in");

  await other.getByRole("button", { name: /^Sign out / }).click();
  // The list refreshes from the server: the other device is gone, this one stays.
  await expect(first.getByTestId("no-other-devices")).toBeVisible();
  await expect(first.getByTestId("other-device")).toHaveCount(0);
  await expect(first.getByTestId("current-device")).toBeVisible();

  await second.goto("/");
  await expect(second.getByTestId("signed-out")).toBeVisible();
  expect((await second.request.get("/sessions/whoami")).status()).toBe(401);

  // The first device is still signed in.
  await first.goto("/");
  await expect(first.getByTestId("signed-in")).toBeVisible();
});

test("sign out everywhere else; the other device is sent to sign in when it opens the devices page", async ({
  newDevice,
}) => {
  const { first, second } = await twoDevices(newDevice);

  await first.goto("/sessions");
  await expect(first.getByTestId("other-device")).toHaveCount(1);
  await first.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(first.getByTestId("no-other-devices")).toBeVisible();

  await second.goto("/sessions");
  await expect(second).toHaveURL(/\/login/);
  await second.goto("/");
  await expect(second.getByTestId("signed-out")).toBeVisible();
});

test("the devices page is not cacheable and the API answers JSON at the same address", async ({ page }) => {
  await signUp(page);
  const response = await page.goto("/sessions");
  expect(response?.headers()["cache-control"]).toMatch(/no-store/);
  const api = await page.request.get("/sessions", { headers: { Accept: "application/json" } });
  expect(api.status()).toBe(200);
  expect(await api.json()).toEqual([]);
});
