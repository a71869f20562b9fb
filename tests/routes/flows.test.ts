// SPEC section 4: login and registration flows, browser and API, JSON and form bodies.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import {
  actionPath,
  browserFlow,
  Client,
  csrfTokenOf,
  inputNodes,
  NO_CACHE,
  register,
  registerNative,
  signIn,
  signInWithForm,
  uniqueEmail,
  type Flow,
} from "../support/client";
import type { SuccessfulLoginJson, SuccessfulRegistrationJson } from "@/lib/server/kratos-json";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ ALLOWED_RETURN_URLS: "https://allowed.example.com/" });
});
afterAll(() => app.stop());

const PASSWORD = "correct horse battery staple";

async function counts() {
  return {
    identities: await app.db.identity.count(),
    sessions: await app.db.session.count(),
  };
}

/** A registered account and a fresh browser (not signed in). */
async function account(): Promise<string> {
  const email = uniqueEmail();
  await registerNative(app, email);
  return email;
}

function nodeNames(flow: Flow): string[] {
  return Object.keys(inputNodes(flow));
}

describe("GET /self-service/login/browser", () => {
  it("JSON request → 200 flow and a CSRF cookie", async () => {
    const client = new Client(app);
    const response = await client.getJson("/self-service/login/browser");
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const flow = (await response.json()) as Flow;
    expect(flow).toMatchObject({ type: "browser", state: "choose_method", ui: { method: "POST" } });
    expect(flow.ui.action).toBe(`${app.url}/self-service/login?flow=${flow.id}`);
    expect(flow.request_url).toBe(`${app.url}/self-service/login/browser`);
    expect(Date.parse(flow.expires_at)).toBeGreaterThan(Date.parse(flow.issued_at));
    expect(nodeNames(flow)).toEqual(["csrf_token", "identifier", "password", "method"]);
    expect(flow.ui.nodes[0]).toEqual({
      type: "input",
      group: "default",
      attributes: {
        name: "csrf_token",
        type: "hidden",
        value: client.jar.get("csrf_token"),
        required: true,
        disabled: false,
        node_type: "input",
      },
      messages: [],
      meta: {},
    });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("csrf_token="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it("browser request → 303 to /login?flow=<id>", async () => {
    const response = await new Client(app).request("/self-service/login/browser");
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toMatch(new RegExp(`^${app.url}/login\\?flow=[0-9a-f-]{36}$`));
  });

  it("already signed in: JSON → 400 session_already_available; browser → 303 to the return URL", async () => {
    const client = new Client(app);
    await register(client, uniqueEmail());
    const json = await client.getJson("/self-service/login/browser");
    await expect(json).toHaveStatus(400);
    expect(((await json.json()) as { error: { id: string } }).error.id).toBe("session_already_available");
    const browser = await client.request("/self-service/login/browser?return_to=https://allowed.example.com/x");
    await expect(browser).toHaveStatus(303);
    expect(browser.headers.get("location")).toBe("https://allowed.example.com/x");
  });

  it("return_to not allowed → 400 (JSON)", async () => {
    const response = await new Client(app).getJson("/self-service/login/browser?return_to=https://evil.com/");
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as { error: { id: string } }).error.id).toBe(
      "self_service_flow_return_to_forbidden",
    );
  });
});

describe("GET /self-service/login/api and /self-service/login/flows", () => {
  it("API flow → 200 type api, no CSRF node, no cookie", async () => {
    const response = await app.fetch(`/self-service/login/api`);
    await expect(response).toHaveStatus(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const flow = (await response.json()) as Flow;
    expect(flow.type).toBe("api");
    expect(nodeNames(flow)).toEqual(["identifier", "password", "method"]);
  });

  it("API flow while holding a session token → 400 session_already_available", async () => {
    const { session_token } = await registerNative(app, uniqueEmail());
    const response = await app.fetch(`/self-service/login/api`, { headers: { "X-Session-Token": session_token } });
    await expect(response).toHaveStatus(400);
  });

  it("GET flows?id= returns the flow to the browser that owns it, and 403 to another", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const own = await client.getJson(`/self-service/login/flows?id=${flow.id}`);
    await expect(own).toHaveStatus(200);
    expect(((await own.json()) as Flow).id).toBe(flow.id);
    const other = await new Client(app).getJson(`/self-service/login/flows?id=${flow.id}`);
    await expect(other).toHaveStatus(403);
  });

  it.each(["", "?id=", "?id=not-a-uuid", "?id=00000000-0000-4000-8000-000000000000"])(
    "GET flows%s → 404",
    async (query) => {
      const response = await app.fetch(`/self-service/login/flows${query}`);
      await expect(response).toHaveStatus(404);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(404);
    },
  );

  it("a registration flow id is not a login flow", async () => {
    const flow = (await (await app.fetch(`/self-service/registration/api`)).json()) as Flow;
    await expect(await app.fetch(`/self-service/login/flows?id=${flow.id}`)).toHaveStatus(404);
  });
});

describe("POST /self-service/login", () => {
  it("API flow → 200 {session_token, session}", async () => {
    const email = await account();
    const flow = (await (await app.fetch(`/self-service/login/api`)).json()) as Flow;
    const response = await app.fetch(flow.ui.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ method: "password", identifier: email, password: PASSWORD }),
    });
    await expect(response).toHaveStatus(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const body = (await response.json()) as SuccessfulLoginJson;
    expect(Object.keys(body).sort()).toEqual(["session", "session_token"]);
    expect(body.session.identity?.traits.email).toBe(email);
  });

  it("browser flow, JSON → 200 {session, continue_with: redirect to the return URL} and the session cookie", async () => {
    const email = await account();
    const client = new Client(app);
    const response = await signIn(client, email);
    await expect(response).toHaveStatus(200);
    const body = (await response.json()) as SuccessfulLoginJson;
    expect(Object.keys(body).sort()).toEqual(["continue_with", "session"]);
    expect(body.continue_with).toEqual([{ action: "redirect_browser_to", redirect_browser_to: `${app.url}/` }]);
    expect(client.jar.get("ory_kratos_session")).toBeDefined();
    await expect(await client.getJson("/sessions/whoami")).toHaveStatus(200);
  });

  it("browser flow, form → 303 to the return URL and the session cookie", async () => {
    const email = await account();
    const client = new Client(app);
    const flow = await browserFlow(client, "login", "?return_to=https://allowed.example.com/welcome");
    const response = await client.request(actionPath(flow), {
      form: { identifier: email, password: PASSWORD, method: "password", csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe("https://allowed.example.com/welcome");
    expect(client.jar.get("ory_kratos_session")).toBeDefined();
  });

  it("email is matched case- and space-insensitively", async () => {
    const email = await account();
    const response = await signIn(new Client(app), `  ${email.toUpperCase()} `);
    await expect(response).toHaveStatus(200);
  });

  it.each([
    ["wrong password", (email: string) => ({ identifier: email, password: "not the password" })],
    ["unknown email", () => ({ identifier: uniqueEmail("nobody"), password: PASSWORD })],
  ])("%s → 400 with the flow and message 4000006, nothing written", async (_name, fields) => {
    const email = await account();
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const before = await counts();
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", csrf_token: csrfTokenOf(flow), ...fields(email) },
    });
    await expect(response).toHaveStatus(400);
    const body = (await response.json()) as Flow;
    expect(body.id).toBe(flow.id);
    expect(body.ui.messages).toEqual([
      {
        id: 4000006,
        text: "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.",
        type: "error",
      },
    ]);
    expect(inputNodes(body).password?.attributes.value).toBeUndefined();
    expect(await counts()).toEqual(before);
    // The JSON client got the messages in the answer; the stored flow is unchanged.
    expect((await app.db.selfServiceFlow.findUniqueOrThrow({ where: { id: flow.id } })).ui).toBeNull();
    expect(client.jar.get("ory_kratos_session")).toBeUndefined();
  });

  it("wrong password, form → 303 back to the form, whose flow remembers the message and the identifier", async () => {
    const email = await account();
    const client = new Client(app);
    const { flow, response } = await signInWithForm(client, email, "nope-nope-nope");
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe(`${app.url}/login?flow=${flow.id}`);
    // What the form page renders (tests/server/pages.test.ts shows it in HTML).
    const remembered = (await (await client.getJson(`/self-service/login/flows?id=${flow.id}`)).json()) as Flow;
    expect(remembered.ui.messages?.map((m) => m.id)).toEqual([4000006]);
    expect(inputNodes(remembered).identifier?.attributes.value).toBe(email);
  });

  it("missing fields → 400 with a message on each field", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(400);
    const body = (await response.json()) as Flow;
    const messages = Object.fromEntries(Object.entries(inputNodes(body)).map(([name, n]) => [name, n.messages]));
    expect(messages.identifier).toEqual([
      { id: 4000002, text: "Property identifier is missing.", type: "error", context: { property: "identifier" } },
    ]);
    expect(messages.password?.[0]?.id).toBe(4000002);
  });

  it("wrong types → 400, nothing written", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const before = await counts();
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", identifier: 42, password: ["x"], csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(400);
    expect(await counts()).toEqual(before);
  });

  it("CSRF token missing or wrong → 403 security_csrf_violation", async () => {
    const email = await account();
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    for (const csrf_token of [undefined, "x".repeat(32)]) {
      const response = await client.request(actionPath(flow), {
        headers: { Accept: "application/json" },
        json: { method: "password", identifier: email, password: PASSWORD, csrf_token },
      });
      await expect(response).toHaveStatus(403);
      expect(((await response.json()) as { error: { id: string } }).error.id).toBe("security_csrf_violation");
    }
    // A browser without the CSRF cookie (a cross-site form post) is refused too.
    const crossSite = new Client(app);
    const response = await crossSite.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", identifier: email, password: PASSWORD, csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(403);
    expect(client.jar.get("ory_kratos_session")).toBeUndefined();
  });

  it("CSRF violation, form → 303 to the error page", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    const response = await client.request(actionPath(flow), {
      form: { identifier: "a@b.c", password: "x", method: "password" },
    });
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toMatch(/\/error\?id=/);
  });

  it("expired flow → 410 self_service_flow_expired; form → 303 to a new flow", async () => {
    const email = await account();
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    await app.db.selfServiceFlow.update({ where: { id: flow.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const json = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", identifier: email, password: PASSWORD, csrf_token: csrfTokenOf(flow) },
    });
    await expect(json).toHaveStatus(410);
    expect(((await json.json()) as { error: { id: string } }).error.id).toBe("self_service_flow_expired");
    const form = await client.request(actionPath(flow), {
      form: { identifier: email, password: PASSWORD, method: "password", csrf_token: csrfTokenOf(flow) },
    });
    await expect(form).toHaveStatus(303);
    expect(form.headers.get("location")).toBe(`${app.url}/self-service/login/browser`);
    expect(client.jar.get("ory_kratos_session")).toBeUndefined();
  });

  it("already signed in → 400 session_already_available", async () => {
    const email = await account();
    const client = new Client(app);
    const flow = await browserFlow(client, "login");
    await signIn(client, email);
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", identifier: email, password: PASSWORD, csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(400);
    expect(((await response.json()) as { error: { id: string } }).error.id).toBe("session_already_available");
  });

  it("a completed flow cannot be submitted again", async () => {
    const email = await account();
    const flow = (await (await app.fetch(`/self-service/login/api`)).json()) as Flow;
    const submit = () =>
      app.fetch(flow.ui.action, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ method: "password", identifier: email, password: PASSWORD }),
      });
    await expect(await submit()).toHaveStatus(200);
    await expect(await submit()).toHaveStatus(400);
  });

  it.each<[string, RequestInit, number]>([
    ["malformed JSON", { body: "{", headers: { "Content-Type": "application/json" } }, 400],
    ["a JSON array", { body: "[]", headers: { "Content-Type": "application/json" } }, 400],
    ["empty body", { body: "", headers: { "Content-Type": "application/json" } }, 400],
    ["text/plain", { body: "identifier=x", headers: { "Content-Type": "text/plain" } }, 400],
    ["multipart", { body: "--x--", headers: { "Content-Type": "multipart/form-data; boundary=x" } }, 400],
    [
      "oversized",
      { body: JSON.stringify({ identifier: "x".repeat(100_000) }), headers: { "Content-Type": "application/json" } },
      413,
    ],
  ])("%s → %i in the envelope, nothing written", async (_name, init, status) => {
    const flow = (await (await app.fetch(`/self-service/login/api`)).json()) as Flow;
    const before = await counts();
    const response = await app.fetch(flow.ui.action, { method: "POST", ...init });
    await expect(response).toHaveStatus(status);
    const body = (await response.json()) as { error: { code: number; reason: string } };
    expect(body.error.code).toBe(status);
    expect(body.error.reason).toBeTruthy();
    expect(await counts()).toEqual(before);
  });

  it("unknown flow → 404", async () => {
    const response = await app.fetch(`/self-service/login?flow=00000000-0000-4000-8000-000000000000`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ method: "password", identifier: "a@b.c", password: "x" }),
    });
    await expect(response).toHaveStatus(404);
  });
});

describe("registration", () => {
  it("API flow → 200 {identity, session, session_token}", async () => {
    const email = uniqueEmail();
    const flow = (await (await app.fetch(`/self-service/registration/api`)).json()) as Flow;
    expect(flow.type).toBe("api");
    expect(nodeNames(flow)).toEqual(["traits.email", "password", "method"]);
    const response = await app.fetch(flow.ui.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ method: "password", traits: { email }, password: PASSWORD }),
    });
    await expect(response).toHaveStatus(200);
    const body = (await response.json()) as SuccessfulRegistrationJson;
    expect(Object.keys(body).sort()).toEqual(["identity", "session", "session_token"]);
    expect(body.identity.traits.email).toBe(email);
    expect(body.session?.identity?.id).toBe(body.identity.id);
  });

  it("browser flow, JSON → 200 {identity, session, continue_with} and the cookie", async () => {
    const client = new Client(app);
    const response = await register(client, uniqueEmail());
    await expect(response).toHaveStatus(200);
    const body = (await response.json()) as SuccessfulRegistrationJson;
    expect(Object.keys(body).sort()).toEqual(["continue_with", "identity", "session"]);
    expect(body.continue_with).toEqual([{ action: "redirect_browser_to", redirect_browser_to: `${app.url}/` }]);
    expect(client.jar.get("ory_kratos_session")).toBeDefined();
  });

  it("browser flow, form → 303 and the cookie", async () => {
    const client = new Client(app);
    const flow = await browserFlow(client, "registration");
    const response = await client.request(actionPath(flow), {
      form: { "traits.email": uniqueEmail(), password: PASSWORD, method: "password", csrf_token: csrfTokenOf(flow) },
    });
    await expect(response).toHaveStatus(303);
    expect(response.headers.get("location")).toBe(`${app.url}/`);
    expect(client.jar.get("ory_kratos_session")).toBeDefined();
  });

  it("stores the email normalised and the password only as an scrypt hash", async () => {
    const email = uniqueEmail();
    await registerNative(app, `  ${email.toUpperCase()}`);
    const identity = await app.db.identity.findUniqueOrThrow({ where: { email } });
    expect(identity.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(identity.passwordHash).not.toContain(PASSWORD);
  });

  it("duplicate email → 400 with message 4000007, nothing written", async () => {
    const email = uniqueEmail();
    await registerNative(app, email);
    const client = new Client(app);
    const before = await counts();
    const response = await register(client, email.toUpperCase());
    await expect(response).toHaveStatus(400);
    const body = (await response.json()) as Flow;
    expect(body.ui.messages?.[0]?.id).toBe(4000007);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["not an email", { traits: { email: "not-an-email" }, password: PASSWORD }, "traits.email", 4000001],
    ["short password", { traits: { email: "short@example.com" }, password: "short" }, "password", 4000032],
    [
      "password like the email",
      { traits: { email: "samesame@example.com" }, password: "samesame@example.com" },
      "password",
      4000031,
    ],
    ["missing email", { password: PASSWORD }, "traits.email", 4000002],
  ])("%s → 400 with a field message, nothing written", async (_name, fields, field, id) => {
    const client = new Client(app);
    const flow = await browserFlow(client, "registration");
    const before = await counts();
    const response = await client.request(actionPath(flow), {
      headers: { Accept: "application/json" },
      json: { method: "password", csrf_token: csrfTokenOf(flow), ...fields },
    });
    await expect(response).toHaveStatus(400);
    const body = (await response.json()) as Flow;
    const node = inputNodes(body)[field];
    expect(node?.messages[0]?.id).toBe(id);
    expect(await counts()).toEqual(before);
  });

  it("simultaneous registrations of one email create one identity", async () => {
    const email = uniqueEmail();
    const attempts = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const flow = (await (await app.fetch(`/self-service/registration/api`)).json()) as Flow;
        return app.fetch(flow.ui.action, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ method: "password", traits: { email }, password: PASSWORD }),
        });
      }),
    );
    expect(attempts.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    expect(await app.db.identity.count({ where: { email } })).toBe(1);
  });
});

describe("node labels, as Kratos sends them", () => {
  // Kratos labels traits.email from the identity schema's title (1070002, with context.title and
  // context.name); Ory Elements formats the label from context.title. The login identifier gets the
  // same label because traits.email is the schema's one password identifier.
  const EMAIL_LABEL = {
    id: 1070002,
    text: "E-Mail",
    type: "info",
    context: { title: "E-Mail", name: "traits.email" },
  };
  const PASSWORD_LABEL = { id: 1070001, text: "Password", type: "info" };

  function labels(flow: Flow) {
    return Object.fromEntries(Object.entries(inputNodes(flow)).map(([name, node]) => [name, node.meta.label]));
  }

  it("registration: traits.email → 1070002 with context {title, name}; password; Sign up", async () => {
    const flow = (await (await new Client(app).getJson("/self-service/registration/api")).json()) as Flow;
    expect(labels(flow)).toEqual({
      "traits.email": EMAIL_LABEL,
      password: PASSWORD_LABEL,
      method: { id: 1040001, text: "Sign up", type: "info" },
    });
  });

  it("login: identifier → 1070002 with context {title, name}; password; Sign in with password", async () => {
    const flow = await browserFlow(new Client(app), "login");
    expect(labels(flow)).toEqual({
      csrf_token: undefined,
      identifier: EMAIL_LABEL,
      password: PASSWORD_LABEL,
      method: { id: 1010022, text: "Sign in with password", type: "info" },
    });
  });
});

describe("GET /self-service/errors", () => {
  it("returns a stored error by id; unknown id → 404", async () => {
    const client = new Client(app);
    const response = await client.request("/self-service/logout");
    const id = new URL(response.headers.get("location")!).searchParams.get("id");
    const stored = await app.fetch(`/self-service/errors?id=${id}`);
    await expect(stored).toHaveStatus(200);
    const body = (await stored.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["created_at", "error", "id", "updated_at"]);
    expect(body.error).toMatchObject({
      code: 400,
      status: "Bad Request",
      reason: "Please include a token in the URL query.",
    });

    await expect(await app.fetch(`/self-service/errors?id=00000000-0000-4000-8000-000000000000`)).toHaveStatus(404);
    await expect(await app.fetch(`/self-service/errors?id=nope`)).toHaveStatus(404);
  });
});
