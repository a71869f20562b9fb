// Ory's own published UI components (@ory/elements-react) on a second origin, pointed at this app
// as at Kratos (see the "ory-elements" project in playwright.config.ts): they render our login flow,
// sign in, show the session, and log out through our logout_url; the app's cookie is gone after.

import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { ORY_ELEMENTS_APP_URL, PASSWORD, SESSION_COOKIE } from "./app";

/**
 * Errors the page logs (Ory Elements logs one for a label it cannot format), except the browser's
 * note on each 4xx answer, which this UI expects (a 401 whoami when signed out, a 400 form).
 */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      errors.push(message.text());
    }
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

test("sign in through Ory Elements, see the session, log out through the app's logout_url", async ({
  page,
  context,
  request,
  baseURL,
}) => {
  const errors = consoleErrors(page);
  // The account, made through the app's native registration (this test is about signing in).
  const email = `elements-${randomUUID()}@example.com`;
  const flow = await (await request.get(`${ORY_ELEMENTS_APP_URL}/self-service/registration/api`)).json();
  const registered = await request.post(flow.ui.action, {
    data: { method: "password", traits: { email }, password: PASSWORD },
  });
  expect(registered.status()).toBe(200);

  // The UI starts a flow at the app, which sends the browser back to LOGIN_UI_URL?flow=<id>.
  await page.goto("/login");
  await expect(page).toHaveURL(new RegExp(`^${baseURL}/login\\?flow=[0-9a-f-]{36}$`));
  await page.getByRole("textbox", { name: "E-Mail" }).fill(email);
  await page.getByRole("textbox", { name: "Password" }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in with password" }).click();

  // continue_with sends the browser to DEFAULT_BROWSER_RETURN_URL, the UI's session page.
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByTestId("email")).toHaveText(email);
  const cookie = (await context.cookies(ORY_ELEMENTS_APP_URL)).find((c) => c.name === SESSION_COOKIE);
  expect(cookie).toBeDefined();
  const sessionId = await page.getByTestId("session-id").textContent();

  // The Log out link is the app's logout_url; the app sends the browser back to the UI.
  const logout = page.getByRole("link", { name: "Log out" });
  await expect(logout).toHaveAttribute("href", new RegExp(`^${ORY_ELEMENTS_APP_URL}/self-service/logout\\?token=`));
  await logout.click();
  await expect(page.getByRole("heading", { name: "Signed out" })).toBeVisible();
  expect((await context.cookies(ORY_ELEMENTS_APP_URL)).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();

  // The session is over at the app too.
  const whoami = await request.get(`${ORY_ELEMENTS_APP_URL}/sessions/whoami`, {
    headers: { Cookie: `${SESSION_COOKIE}=${cookie!.value}` },
  });
  expect(whoami.status()).toBe(401);
  expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(errors).toEqual([]);
});

test("register through Ory Elements: the E-Mail label, validation messages, then the session page", async ({
  page,
  baseURL,
}) => {
  const errors = consoleErrors(page);
  const email = `elements-${randomUUID()}@example.com`;
  await page.goto("/registration");
  await expect(page).toHaveURL(new RegExp(`^${baseURL}/registration\\?flow=`));
  await page.getByRole("textbox", { name: "E-Mail" }).fill(email);
  await page.getByRole("textbox", { name: "Password" }).fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("The password must be at least 8 characters long, but got 5.")).toBeVisible();
  await page.getByRole("textbox", { name: "Password" }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByTestId("email")).toHaveText(email);
  expect(errors).toEqual([]);
});
