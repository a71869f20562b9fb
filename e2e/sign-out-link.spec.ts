// The server-rendered Sign Out link: a plain <a> to GET /self-service/logout?token=…

import { expect, test } from "@playwright/test";
import { expectHydratedSignedInHome, expectSignedOutHome, SESSION_COOKIE, sessionCookie, signIn, signUp } from "./app";

const isLogout = (url: string) => new URL(url).pathname === "/self-service/logout";

test("register through /registration, land signed in on /, reload: still signed in, and the page is no-store", async ({
  page,
}) => {
  await signUp(page);
  const response = await page.reload();
  await expectHydratedSignedInHome(page);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["cache-control"]).toContain("no-store");
  expect(response?.headers()["cache-control"]).toContain("private");
});

test("Sign Out link → 303 to the default return URL, cookie gone, old cookie refused, signed-out view", async ({
  page,
  context,
  request,
  baseURL,
}) => {
  await signUp(page);
  const cookieBefore = await sessionCookie(context);
  expect(cookieBefore).toBeDefined();

  const link = page.getByRole("link", { name: "Sign out", exact: true });
  await expect(link).toHaveAttribute("href", new RegExp(`^${baseURL}/self-service/logout\\?token=[^&]+$`));
  const logout = page.waitForResponse((response) => isLogout(response.url()));
  await link.click();
  expect((await logout).status()).toBe(303);

  await expect(page).toHaveURL(`${baseURL}/`);
  await expectSignedOutHome(page);
  expect(await sessionCookie(context)).toBeUndefined();

  // The copied cookie value no longer works anywhere: the database revoked its session.
  const whoami = await request.get("/sessions/whoami", {
    headers: { Cookie: `${SESSION_COOKIE}=${cookieBefore!.value}`, Accept: "application/json" },
  });
  expect(whoami.status()).toBe(401);
  expect((await whoami.json()).error.id).toBe("session_inactive");
});

test("Sign Out link with return_to → lands on that page (here: the sign-in form, to switch accounts)", async ({
  page,
  context,
  baseURL,
}) => {
  const email = await signUp(page);
  const link = page.getByRole("link", { name: "Sign out and switch account" });
  const href = new URL((await link.getAttribute("href"))!);
  expect(href.searchParams.get("return_to")).toBe(`${baseURL}/login`);

  await link.click();
  await expect(page).toHaveURL(/\/login\?flow=[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(await sessionCookie(context)).toBeUndefined();

  await signIn(page, email);
  expect(await sessionCookie(context)).toBeDefined();
});

test("Back after sign-out does not show the signed-in page", async ({ page, baseURL }) => {
  await signUp(page);
  // Signing out to another URL keeps the signed-in `/` as its own history entry to go back to.
  await page.getByRole("link", { name: "Sign out and switch account" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(`${baseURL}/`);
  await expectSignedOutHome(page);
});
