// Live sign-out (issue 12): a page left open on another device turns into the signed-out view, in
// place and without any navigation, as soon as that device is signed out, saying by whom. Each
// browser context is a device of its own (contexts share no cookies).

import { expect, type Page } from "@playwright/test";
import { describeUserAgent } from "../app/_components/device-description";
import { expectHydratedSignedInHome, oneUserOn, saveScreenshot, signIn, signUp, test } from "./app";

// The promise: the open page changes within 2 s of the sign-out.
const LIVE_MS = 2_000;

/** Counts the page's navigations from now on: a live sign-out must not cause any. */
function countNavigations(page: Page): () => number {
  let count = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) count++;
  });
  return () => count;
}

/** The page turned into the signed-out view in place: the reason, focused; nothing private left. */
async function expectSignedOutInPlace(page: Page, reason: string | RegExp, url: string, navigations: () => number) {
  const message = page.getByTestId("signed-out-reason");
  await expect(message).toHaveText(reason, { timeout: LIVE_MS });
  await expect(message).toBeFocused();
  await expect(page.getByRole("heading", { name: "You are signed out" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("who")).toHaveText("Signed out");
  await expect(page.getByTestId("signed-in")).toHaveCount(0);
  await expect(page.getByTestId("devices-page")).toHaveCount(0);
  expect(page.url()).toBe(url);
  expect(navigations()).toBe(0);
}

test("device A signs device B out from the devices page: B's open page turns into the signed-out view", async ({
  newDevice,
}, testInfo) => {
  const [deviceA, deviceB] = (await oneUserOn(newDevice, 2)).devices;
  const byA = describeUserAgent(await deviceA!.evaluate(() => navigator.userAgent));
  await expectHydratedSignedInHome(deviceB!);
  const url = deviceB!.url();
  const navigations = countNavigations(deviceB!);

  await deviceA!.goto("/sessions");
  await deviceA!
    .getByTestId("other-device")
    .getByRole("button", { name: /^Sign out / })
    .click();

  await expectSignedOutInPlace(deviceB!, `You were signed out from this device by ${byA}.`, url, navigations);
  await saveScreenshot(deviceB!, testInfo, "live-sign-out-device-b");
  expect((await deviceB!.request.get("/sessions/whoami")).status()).toBe(401);

  // Device A's list now has B among the recently ended sessions, and says A ended it.
  await expect(deviceA!.getByTestId("no-other-devices")).toBeVisible();
  await expect(deviceA!.getByTestId("ended-session")).toHaveCount(1);
  await expect(deviceA!.getByTestId("how-it-ended")).toHaveText("signed out from this device");
  await saveScreenshot(deviceA!, testInfo, "devices-page-recently-signed-out");
});

test("sign out everywhere else: both other devices' open pages turn into the signed-out view", async ({
  newDevice,
}) => {
  const [deviceA, deviceB, deviceC] = (await oneUserOn(newDevice, 3)).devices;
  const byA = describeUserAgent(await deviceA!.evaluate(() => navigator.userAgent));
  await deviceC!.goto("/sessions");
  await expect(deviceC!.getByTestId("other-device")).toHaveCount(2);
  const open = [
    { page: deviceB!, url: deviceB!.url(), navigations: countNavigations(deviceB!) },
    { page: deviceC!, url: deviceC!.url(), navigations: countNavigations(deviceC!) },
  ];

  await deviceA!.goto("/sessions");
  await deviceA!.getByRole("button", { name: "Sign out everywhere else" }).click();

  for (const { page, url, navigations } of open) {
    await expectSignedOutInPlace(page, `You were signed out from this device by ${byA}.`, url, navigations);
  }
  await expect(deviceA!.getByTestId("no-other-devices")).toBeVisible();
  await expect(deviceA!.getByTestId("how-it-ended")).toHaveText([
    "signed out everywhere else from this device",
    "signed out everywhere else from this device",
  ]);
});

test("one stream per browser: the tabs share it, and every tab turns into the signed-out view", async ({
  newDevice,
}) => {
  const deviceA = await newDevice();
  const firstTab = await newDevice();
  // Every stream this browser opens, counted from before it signs in.
  const streams: string[] = [];
  firstTab.context().on("request", (request) => {
    if (new URL(request.url()).pathname === "/sessions/events") streams.push(request.url());
  });
  await signIn(firstTab, await signUp(deviceA));
  await expect.poll(() => streams.length).toBe(1);
  // A reload is a new page: it opens a stream of its own (the old page's closed with it).
  await firstTab.reload();
  await expectHydratedSignedInHome(firstTab);
  await expect.poll(() => streams.length).toBe(2);
  const secondTab = await firstTab.context().newPage();
  await secondTab.goto("/sessions");
  await expect(secondTab.getByTestId("devices-page")).toBeVisible();

  await deviceA.goto("/sessions");
  await deviceA
    .getByTestId("other-device")
    .getByRole("button", { name: /^Sign out / })
    .click();

  for (const tab of [firstTab, secondTab]) {
    await expect(tab.getByTestId("signed-out-reason")).toHaveText(/^You were signed out from this device by /, {
      timeout: LIVE_MS,
    });
  }
  // The second tab never opened one: not while the first held the stream, nor once it had ended.
  expect(streams).toHaveLength(2);
});

test("without EventSource the page still notices, when it becomes visible again", async ({ newDevice }) => {
  const [deviceA, deviceB] = (await oneUserOn(newDevice, 2)).devices;
  await deviceB!.addInitScript(() => {
    // @ts-expect-error -- a browser without Server-Sent Events
    delete window.EventSource;
  });
  await deviceB!.reload();
  await expectHydratedSignedInHome(deviceB!);

  await deviceA!.goto("/sessions");
  await deviceA!
    .getByTestId("other-device")
    .getByRole("button", { name: /^Sign out / })
    .click();
  await expect(deviceA!.getByTestId("no-other-devices")).toBeVisible();

  await expect(deviceB!.getByTestId("signed-in")).toBeVisible();
  await deviceB!.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await expect(deviceB!.getByTestId("signed-out-reason")).toHaveText("You were signed out from this device.");
  await expect(deviceB!.getByTestId("signed-in")).toHaveCount(0);
});
