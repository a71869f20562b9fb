// SPEC section 4: GET /sessions/whoami, the credential order, and the Session object.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionJson } from "@/lib/server/kratos-json";
import { startInProcessApp, type App } from "../support/app";
import { signedIn } from "../support/sessions";
import { Client, NO_CACHE, register, registerNative, SESSION_KEYS, uniqueEmail } from "../support/client";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ SESSION_LIFESPAN: "1h" });
});
afterAll(() => app.stop());

const whoami = (headers: Record<string, string> = {}) => app.fetch(`/sessions/whoami`, { headers });

describe("GET /sessions/whoami", () => {
  it("without credentials → 401 session_inactive, not cacheable", async () => {
    const response = await whoami();
    await expect(response).toHaveStatus(401);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(response.headers.get("vary")).toBe("Cookie");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({
      error: {
        id: "session_inactive",
        code: 401,
        status: "Unauthorized",
        reason: "No active session was found in this request.",
        message: "request does not have a valid authentication session",
      },
    });
  });

  it("from another origin while CORS_ALLOWED_ORIGINS is unset (the default) → no CORS headers, Vary: Cookie", async () => {
    const response = await whoami({ Origin: "http://localhost:4455" });
    await expect(response).toHaveStatus(401);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toBe("Cookie");
  });

  it("with the session cookie → 200 Session and X-Kratos-Authenticated-Identity-Id", async () => {
    const client = new Client(app);
    const email = uniqueEmail();
    await register(client, email);
    const response = await client.getJson("/sessions/whoami");
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const session = (await response.json()) as SessionJson;
    expect(response.headers.get("x-kratos-authenticated-identity-id")).toBe(session.identity?.id);
    expect(Object.keys(session).sort()).toEqual(SESSION_KEYS);
    expect(session.active).toBe(true);
    expect(session.authenticator_assurance_level).toBe("aal1");
    expect(session.authentication_methods).toEqual([
      { method: "password", aal: "aal1", completed_at: session.authenticated_at },
    ]);
    const lifespan = Date.parse(session.expires_at!) - Date.parse(session.issued_at!);
    expect(lifespan).toBeGreaterThan(3_590_000);
    expect(lifespan).toBeLessThanOrEqual(3_600_000);
    expect(session.devices).toHaveLength(1);
    expect(session.devices![0]).toMatchObject({ ip_address: expect.any(String), user_agent: expect.any(String) });
    expect(session.identity).toMatchObject({
      schema_id: "default",
      state: "active",
      traits: { email },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(session.identity!.schema_url).toBe(`${app.url}/schemas/ZGVmYXVsdA`);
    const text = JSON.stringify(session);
    expect(text).not.toMatch(/ory_st_|scrypt|password_hash|token_hash|logout_token/);
  });

  it("with X-Session-Token → 200; with Authorization: Bearer → 200", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail());
    const credentials: Record<string, string>[] = [
      { "X-Session-Token": session_token },
      { Authorization: `Bearer ${session_token}` },
    ];
    for (const headers of credentials) {
      const response = await whoami(headers);
      await expect(response).toHaveStatus(200);
      expect(((await response.json()) as { id: string }).id).toBe(session.id);
    }
  });

  it("X-Session-Token wins over the cookie, and the first credential present decides", async () => {
    const client = new Client(app);
    await register(client, uniqueEmail());
    const native = await registerNative(app, uniqueEmail());
    const byHeader = await client.getJson("/sessions/whoami", { "X-Session-Token": native.session_token });
    expect(((await byHeader.json()) as { id: string }).id).toBe(native.session.id);
    const invalidHeader = await client.getJson("/sessions/whoami", { "X-Session-Token": "ory_st_invalid" });
    await expect(invalidHeader).toHaveStatus(401);
  });

  it.each([
    ["a tampered cookie", { Cookie: "ory_kratos_session=Fe26.2**tampered" }],
    ["an unknown token", { "X-Session-Token": `ory_st_${"a".repeat(32)}` }],
    ["a malformed bearer", { Authorization: "Bearer" }],
    ["odd unicode", { "X-Session-Token": "ory_st_%E2%80%AE" }],
  ])("%s → 401", async (_name, headers) => {
    await expect(await whoami(headers)).toHaveStatus(401);
  });

  it("a revoked, expired or inactive-identity session → 401", async () => {
    for (const change of ["revoked", "expired", "identity"] as const) {
      const { session_token, session, identity } = await registerNative(app, uniqueEmail());
      if (change === "revoked") await app.db.session.update({ where: { id: session.id }, data: { active: false } });
      if (change === "expired")
        await app.db.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1) } });
      if (change === "identity")
        await app.db.identity.update({ where: { id: identity.id }, data: { state: "inactive" } });
      await expect(await whoami({ "X-Session-Token": session_token })).toHaveStatus(401);
    }
  });

  it("a session records the client's address: the peer's, not an X-Forwarded-For the client wrote itself", async () => {
    const client = new Client(app);
    const forged = { "X-Forwarded-For": "198.51.100.77" };
    const flow = (await (await client.getJson("/self-service/registration/api")).json()) as { ui: { action: string } };
    const response = await client.request(flow.ui.action, {
      headers: forged,
      json: { method: "password", traits: { email: uniqueEmail() }, password: "correct horse battery staple" },
    });
    await expect(response).toHaveStatus(200);
    const { session } = (await response.json()) as { session: { id: string; devices: { ip_address: string }[] } };
    expect(session.devices[0]!.ip_address).toBe("127.0.0.1");
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).ipAddress).toBe("127.0.0.1");
  });

  it("the one-statement session lookup reads exactly what Prisma's include reads", async () => {
    const { findSessionById, findSessionByToken } = await import("@/lib/server/sessions/sessions");
    const { token, id } = await signedIn();
    await app.db.session.update({
      where: { id },
      data: { active: false, revokedAt: new Date(), revocationReason: "logout", revokedBySessionId: id },
    });
    const viaInclude = await app.db.session.findUnique({
      where: { id },
      include: { identity: { omit: { passwordHash: true } } },
    });
    expect(await findSessionByToken(token)).toEqual(viaInclude);
    expect(await findSessionById(id)).toEqual(viaInclude);
    expect(await findSessionByToken("ory_st_" + "x".repeat(32))).toBeNull();
  });

  it("stores only a hash of the session token", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail());
    const row = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.tokenHash).not.toContain(session_token);
    expect(row.tokenHash).not.toContain(session_token.slice(7));
    expect(row.tokenHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, Path=/, SameSite=Lax, not Secure on http, sealed, and lives as long as the session", async () => {
    const client = new Client(app);
    const response = await register(client, uniqueEmail());
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("ory_kratos_session="))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(3_590);
    expect(maxAge).toBeLessThanOrEqual(3_600);
    const value = client.jar.get("ory_kratos_session")!;
    expect(value).toMatch(/^Fe26\.2\*/);
    expect(value).not.toContain("ory_st_");
  });

  it("is Secure, __Host- prefixed and uses a configured name when the public URL is https", async () => {
    const secure = await startInProcessApp({
      PUBLIC_BASE_URL: "https://auth.example.com",
      SESSION_COOKIE_NAME: "my_session",
    });
    try {
      const client = new Client(secure);
      const response = await register(client, uniqueEmail());
      const cookies = response.headers.getSetCookie();
      const session = cookies.find((c) => c.startsWith("__Host-my_session="));
      expect(session).toMatch(/; Path=\/; .*HttpOnly; Secure; SameSite=Lax$/);
      expect(session).not.toMatch(/Domain=/i);
      // The CSRF cookie, set when the registration flow began, is __Host- prefixed too.
      expect(client.jar.get("__Host-csrf_token")).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(client.jar.get("csrf_token")).toBeUndefined();
      // The browser sends it back under that name, and it is the session.
      await expect(await client.getJson("/sessions/whoami")).toHaveStatus(200);
      // A cookie of the bare name (a sibling subdomain could set one) means nothing here.
      const bare = `my_session=${client.jar.get("__Host-my_session")}`;
      await expect(await secure.fetch("/sessions/whoami", { headers: { cookie: bare } })).toHaveStatus(401);
    } finally {
      await secure.stop();
    }
  });
});

describe("health", () => {
  it("GET /health/alive → 200 without touching the database", async () => {
    const response = await app.fetch(`/health/alive`);
    await expect(response).toHaveStatus(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("GET /health/ready → 200 when the database answers", async () => {
    const response = await app.fetch(`/health/ready`);
    await expect(response).toHaveStatus(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
