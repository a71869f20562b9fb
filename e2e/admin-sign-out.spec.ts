// An operator signs a user out everywhere (issue 16) while the user's pages are open on two devices:
// each open signed-in page turns into the signed-out view ("You were signed out…") within 2 s, with
// no click or navigation of its own. Driven by the live sign-out stream (issue 12): the pages are
// told by the server, not by a reload.

import { expect, type Page } from "@playwright/test";
import { ADMIN_API_TOKEN, oneUserOn, signUp, test, type NewDevice } from "./app";

/** One user signed in on two devices, both showing the signed-in home page. */
async function userOnTwoDevices(newDevice: NewDevice) {
  const {
    devices: [laptop, phone],
    email,
  } = await oneUserOn(newDevice, 2);
  if (!laptop || !phone) throw new Error("two devices");
  const whoami = await laptop.request.get("/sessions/whoami", { headers: { Accept: "application/json" } });
  expect(whoami.status()).toBe(200);
  const session = (await whoami.json()) as { id: string; identity: { id: string } };
  return { laptop, phone, email, identityId: session.identity.id, laptopSessionId: session.id };
}

/** A request to the admin API with the admin token, as an operator's script sends it. */
async function admin(page: Page, method: "DELETE" | "PATCH", path: string, body?: unknown) {
  const response = await page.request.fetch(path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_API_TOKEN}`, "Content-Type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.status();
}

/** The open page shows the signed-out view within 2 s, and nothing of the signed-in one. */
async function expectToldSignedOut(page: Page, email: string) {
  await expect(page.getByText("You were signed out")).toBeVisible({ timeout: 2_000 });
  await expect(page.getByText(email)).toHaveCount(0);
  expect((await page.request.get("/sessions/whoami")).status()).toBe(401);
}

test("deleteIdentitySessions: both open pages of the user turn into the signed-out view within 2 s", async ({
  newDevice,
}) => {
  const { laptop, phone, email, identityId } = await userOnTwoDevices(newDevice);
  const bystander = await newDevice();
  await signUp(bystander);

  expect(await admin(bystander, "DELETE", `/admin/identities/${identityId}/sessions`)).toBe(204);
  await expectToldSignedOut(laptop, email);
  await expectToldSignedOut(phone, email);
  // Another user's page is not touched.
  await expect(bystander.getByRole("heading", { name: "You are signed in" })).toBeVisible();
});

test("disableSession of one device: only that device's page turns signed out", async ({ newDevice }) => {
  const { laptop, phone, email, laptopSessionId } = await userOnTwoDevices(newDevice);

  expect(await admin(phone, "DELETE", `/admin/sessions/${laptopSessionId}`)).toBe(204);
  await expectToldSignedOut(laptop, email);
  await expect(phone.getByRole("heading", { name: "You are signed in" })).toBeVisible();
  expect((await phone.request.get("/sessions/whoami")).status()).toBe(200);
});

test("deactivating the identity: its open pages turn signed out within 2 s", async ({ newDevice }) => {
  const { laptop, phone, email, identityId } = await userOnTwoDevices(newDevice);

  const deactivate = [{ op: "replace", path: "/state", value: "inactive" }];
  expect(await admin(laptop, "PATCH", `/admin/identities/${identityId}`, deactivate)).toBe(200);
  await expectToldSignedOut(laptop, email);
  await expectToldSignedOut(phone, email);
});
