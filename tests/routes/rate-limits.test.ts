// The abuse limits (lib/server/rate-limits.ts), with small numbers: guessing one account's password,
// many failed sign-ins from one address, registrations and flows per address; shared by instances;
// never in the way of signing out. And what anyone can make the app store stays small.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { actionPath, Client, registerNative, signedInBrowser, uniqueEmail, type Flow } from "../support/client";

const ADMIN_TOKEN = "admin-token-for-the-rate-limit-tests-0123456789";
const LIMITS = {
  RATE_LIMITS: "on",
  LOGIN_BACKOFF_AFTER: "3",
  RATE_LIMIT_LOGIN_FAILURES: "8/1m",
  RATE_LIMIT_REGISTRATIONS: "10/1m",
  RATE_LIMIT_FLOWS: "60/1m",
  RATE_LIMIT_ADMIN_FAILURES: "3/1m",
  // Refusals answered at once here (the pause has a test of its own, below).
  RATE_LIMIT_REFUSAL_DELAY: "0",
  ADMIN_API_TOKEN: ADMIN_TOKEN,
  // Addresses below come from this trusted proxy's X-Forwarded-For.
  TRUSTED_PROXIES: "127.0.0.1",
};
const PASSWORD = "correct horse battery staple";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp(LIMITS);
});
afterAll(() => app.stop());

/** Each test speaks from addresses of its own, so their counts do not meet. */
let lastAddress = 0;
const newAddress = () => `198.51.100.${++lastAddress}`;

async function apiFlow(kind: "login" | "registration", address: string, target = app): Promise<Flow> {
  const response = await target.fetch(`/self-service/${kind}/api`, { headers: { "x-forwarded-for": address } });
  await expect(response).toHaveStatus(200);
  return (await response.json()) as Flow;
}

async function signIn(email: string, password: string, address: string, target = app) {
  const flow = await apiFlow("login", address, target);
  return target.fetch(actionPath(flow), {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ method: "password", identifier: email, password }),
  });
}

async function expectTooMany(response: Response) {
  await expect(response).toHaveStatus(429);
  const seconds = Number(response.headers.get("retry-after"));
  expect(seconds).toBeGreaterThanOrEqual(1);
  const { error } = (await response.json()) as { error: Record<string, unknown> };
  expect(error).toMatchObject({ id: "rate_limit_exceeded", code: 429, status: "Too Many Requests" });
  expect(error.reason).toBe(`Too many attempts. Try again in ${seconds} ${seconds === 1 ? "second" : "seconds"}.`);
  return seconds;
}

describe("guessing one account's password", () => {
  it("after 3 failures each attempt waits, twice as long each time — even with the right password", async () => {
    const email = uniqueEmail("guessed");
    await registerNative(app, email, PASSWORD);
    for (let i = 0; i < 3; i++) await expect(await signIn(email, `wrong-${i}`, newAddress())).toHaveStatus(400);
    // From any address: the backoff belongs to the identifier.
    expect(await expectTooMany(await signIn(email, PASSWORD, newAddress()))).toBe(1);
    expect(await app.db.session.count({ where: { identity: { email } } })).toBe(1);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 1_500 });
    try {
      await expect(await signIn(email, "wrong-again", newAddress())).toHaveStatus(400);
      // The fourth failure doubles the wait.
      expect(await expectTooMany(await signIn(email, PASSWORD, newAddress()))).toBe(2);
      vi.setSystemTime(Date.now() + 2_500);
      await expect(await signIn(email, PASSWORD, newAddress())).toHaveStatus(200);
      // A success forgets the failures: the owner is not slowed down afterwards.
      await expect(await signIn(email, "one-typo", newAddress())).toHaveStatus(400);
      await expect(await signIn(email, PASSWORD, newAddress())).toHaveStatus(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it("the review's 188 guesses, then the right password: no session", async () => {
    const email = uniqueEmail("guessed");
    await registerNative(app, email, PASSWORD);
    // All within a second, as a script sends them (each later second would let one more through).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    onTestFinished(() => void vi.useRealTimers());
    const address = newAddress();
    const flow = await apiFlow("login", address);
    const statuses = new Set<number>();
    for (let i = 0; i < 188; i++) {
      const response = await app.fetch(actionPath(flow), {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": newAddress() },
        body: JSON.stringify({ method: "password", identifier: email, password: `guess-${i}` }),
      });
      statuses.add(response.status);
    }
    expect([...statuses].sort()).toEqual([400, 429]);
    await expectTooMany(await signIn(email, PASSWORD, address));
    expect(await app.db.session.count({ where: { identity: { email } } })).toBe(1);
  });
});

describe("a refusal", () => {
  it("is answered after RATE_LIMIT_REFUSAL_DELAY, with the wait left after it", async () => {
    const paused = await startInProcessApp({ ...LIMITS, RATE_LIMIT_REFUSAL_DELAY: "1s" });
    onTestFinished(() => paused.stop());
    const email = uniqueEmail("paused");
    await registerNative(paused, email, PASSWORD);
    for (let i = 0; i < 3; i++) await expect(await signIn(email, `wrong-${i}`, newAddress(), paused)).toHaveStatus(400);
    const asked = performance.now();
    const response = await signIn(email, PASSWORD, newAddress(), paused);
    const waited = performance.now() - asked;
    // The backoff (1 s) was over while the refusal waited: the answer still says 1 s, never 0.
    expect(await expectTooMany(response)).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(await paused.db.session.count({ where: { identity: { email } } })).toBe(1);
  });
});

/** Counts are kept per fixed window: tests that count keep the clock still, inside one window. */
function keepClockStill() {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

describe("per client address", () => {
  keepClockStill();

  it("failed sign-ins: past the limit every sign-in from that address waits; other addresses are not affected", async () => {
    const email = uniqueEmail("real");
    await registerNative(app, email, PASSWORD);
    const address = newAddress();
    // Different unknown accounts, so no identifier's backoff is what stops it.
    for (let i = 0; i < 8; i++)
      await expect(await signIn(uniqueEmail("nobody"), "x-x-x-x-x", address)).toHaveStatus(400);
    await expectTooMany(await signIn(email, PASSWORD, address));
    await expect(await signIn(email, PASSWORD, newAddress())).toHaveStatus(200);
  });

  it("registrations: past the limit → 429 and no identity is created", async () => {
    const address = newAddress();
    const register = async (email: string) => {
      const flow = await apiFlow("registration", address);
      return app.fetch(actionPath(flow), {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address },
        body: JSON.stringify({ method: "password", traits: { email }, password: PASSWORD }),
      });
    };
    for (let i = 0; i < 10; i++) await expect(await register(uniqueEmail("bulk"))).toHaveStatus(200);
    const refused = uniqueEmail("one-too-many");
    await expectTooMany(await register(refused));
    expect(await app.db.identity.count({ where: { email: refused } })).toBe(0);
  });

  it("new flows: past the limit → 429 (a browser: the error page) and no flow row", async () => {
    const address = newAddress();
    for (let i = 0; i < 60; i++) await apiFlow(i % 2 ? "login" : "registration", address);
    const flows = await app.db.selfServiceFlow.count();
    await expectTooMany(await app.fetch("/self-service/login/api", { headers: { "x-forwarded-for": address } }));
    const browser = await app.fetch("/self-service/registration/browser", { headers: { "x-forwarded-for": address } });
    await expect(browser).toHaveStatus(303);
    const errorId = new URL(browser.headers.get("location")!).searchParams.get("id");
    const stored = (await (await app.fetch(`/self-service/errors?id=${errorId}`)).json()) as { error: object };
    expect(stored.error).toMatchObject({ id: "rate_limit_exceeded", code: 429 });
    expect(await app.db.selfServiceFlow.count()).toBe(flows);
  });

  it("counts are shared: two instances on one database count the same sign-ins", async () => {
    const other = await startInProcessApp(LIMITS, { database: app.database });
    try {
      const address = newAddress();
      for (let i = 0; i < 8; i++) {
        const instance = i % 2 ? other : app;
        await expect(await signIn(uniqueEmail("nobody"), "x-x-x-x-x", address, instance)).toHaveStatus(400);
      }
      await expectTooMany(await signIn(uniqueEmail("nobody"), "x-x-x-x-x", address, other));
      await expectTooMany(await signIn(uniqueEmail("nobody"), "x-x-x-x-x", address, app));
    } finally {
      await other.stop();
    }
  });
});

describe("the admin API", () => {
  keepClockStill();

  it("wrong admin tokens: past the limit that address waits, even with the right token; others do not", async () => {
    const address = newAddress();
    const asAdmin = (token: string, from = address) =>
      app.fetch("/admin/sessions", { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": from } });
    for (let i = 0; i < 3; i++) await expect(await asAdmin(`wrong-token-${i}`)).toHaveStatus(401);
    await expectTooMany(await asAdmin(ADMIN_TOKEN));
    await expect(await asAdmin(ADMIN_TOKEN, newAddress())).toHaveStatus(200);
  });
});

describe("never limited", () => {
  keepClockStill();

  it("signing out, whoami and logout URLs work from an address that is over every limit", async () => {
    const address = newAddress();
    for (let i = 0; i < 8; i++) await signIn(uniqueEmail("nobody"), "x-x-x-x-x", address);
    await expectTooMany(await signIn(uniqueEmail("nobody"), "x-x-x-x-x", address));
    const { client, session } = await signedInBrowser(app);
    const headers = { "x-forwarded-for": address, accept: "application/json" };
    await expect(await client.request("/sessions/whoami", { headers })).toHaveStatus(200);
    const urlResponse = await client.request("/self-service/logout/browser", { headers });
    await expect(urlResponse).toHaveStatus(200);
    const { logout_url } = (await urlResponse.json()) as { logout_url: string };
    await expect(await client.request(logout_url, { headers })).toHaveStatus(204);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });
});

describe("what anyone can make the app store", () => {
  it("a flow keeps its path and known parameters, not the whole query", async () => {
    const junk = "x".repeat(12_000);
    const response = await app.fetch(`/self-service/login/api?return_to=%2Fafter&junk=${junk}&more=1`, {
      headers: { "x-forwarded-for": newAddress() },
    });
    await expect(response).toHaveStatus(200);
    const flow = (await response.json()) as { id: string; request_url: string };
    expect(flow.request_url).toBe(
      `${app.url}/self-service/login/api?return_to=${encodeURIComponent(`${app.url}/after`)}`,
    );
    const row = await app.db.selfServiceFlow.findUniqueOrThrow({ where: { id: flow.id } });
    expect(row.requestUrl.length).toBeLessThan(200);
  });

  it("the same error is stored once however often it happens, and quotes nothing a request carried", async () => {
    const browser = { accept: "text/html" };
    const planted = (i: number) => `https://evil.example/${"a".repeat(2_000)}?call-555-${i}`;
    const ids = new Set<string>();
    const before = await app.db.selfServiceError.count();
    for (let i = 0; i < 20; i++) {
      const response = await app.fetch(`/self-service/logout?token=`, { headers: browser });
      const forbidden = await app.fetch(`/self-service/login/browser?return_to=${encodeURIComponent(planted(i))}`, {
        headers: { ...browser, "x-forwarded-for": newAddress() },
      });
      for (const answer of [response, forbidden]) {
        await expect(answer).toHaveStatus(303);
        ids.add(new URL(answer.headers.get("location")!).searchParams.get("id")!);
      }
    }
    expect(ids.size).toBe(2);
    expect(await app.db.selfServiceError.count()).toBeLessThanOrEqual(before + 2);
    const rows = await app.db.selfServiceError.findMany({ where: { id: { in: [...ids] } } });
    for (const row of rows) {
      expect(row.error).not.toContain("evil.example");
      expect(row.error.length).toBeLessThan(400);
    }
  });
});

describe("API flows are not for browsers", () => {
  it.each([
    ["an Origin header", { origin: "https://elsewhere.example" }, '"Origin"'],
    ["a cookie", { cookie: "anything=1" }, '"Cookie"'],
  ])("a submission carrying %s → 400 and nothing happens", async (_name, headers, key) => {
    const email = uniqueEmail("native");
    await registerNative(app, email, PASSWORD);
    const flow = await apiFlow("login", newAddress());
    const response = await new Client(app).request(actionPath(flow), {
      headers,
      json: { method: "password", identifier: email, password: PASSWORD },
    });
    await expect(response).toHaveStatus(400);
    const { error } = (await response.json()) as { error: { reason: string } };
    expect(error.reason).toContain(`The HTTP Request Header included the ${key} key`);
    expect(await app.db.session.count({ where: { identity: { email } } })).toBe(1);
  });

  it("a CDN's own cookies do not count", async () => {
    const email = uniqueEmail("native");
    await registerNative(app, email, PASSWORD);
    const flow = await apiFlow("login", newAddress());
    const response = await new Client(app).request(actionPath(flow), {
      headers: { cookie: "__cf_bm=1; cf_clearance=2" },
      json: { method: "password", identifier: email, password: PASSWORD },
    });
    await expect(response).toHaveStatus(200);
  });
});
