// SPEC section 3: DELETE /self-service/logout/api, one test per row.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../support/app";
import { NO_CACHE, registerNative, uniqueEmail } from "../support/client";

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app.stop());

function logout(body: BodyInit | null, headers: Record<string, string> = { "Content-Type": "application/json" }) {
  return fetch(`${app.url}/self-service/logout/api`, { method: "DELETE", body, headers });
}

const revokeBody = (token: unknown) => JSON.stringify({ session_token: token });

async function whoamiStatus(token: string): Promise<number> {
  return (await fetch(`${app.url}/sessions/whoami`, { headers: { "X-Session-Token": token } })).status;
}

describe("DELETE /self-service/logout/api", () => {
  it.each<[string, BodyInit | null, Record<string, string>]>([
    ["empty body", null, { "Content-Type": "application/json" }],
    ["not JSON", "session_token=ory_st_x", { "Content-Type": "application/json" }],
    ["malformed JSON", '{"session_token": ', { "Content-Type": "application/json" }],
    ["a JSON array", "[]", { "Content-Type": "application/json" }],
    ["wrong content type", revokeBody("ory_st_" + "a".repeat(32)), { "Content-Type": "text/plain" }],
    ["a form body", "session_token=ory_st_" + "a".repeat(32), { "Content-Type": "application/x-www-form-urlencoded" }],
    ["no content type", revokeBody("ory_st_" + "a".repeat(32)), {}],
    ["session_token missing", "{}", { "Content-Type": "application/json" }],
    ["session_token null", revokeBody(null), { "Content-Type": "application/json" }],
    ["session_token a number", revokeBody(42), { "Content-Type": "application/json" }],
    ["session_token an object", revokeBody({ token: "x" }), { "Content-Type": "application/json" }],
    ["session_token too short", revokeBody("ory_st_abc"), { "Content-Type": "application/json" }],
    ["session_token without prefix", revokeBody("a".repeat(32)), { "Content-Type": "application/json" }],
    ["session_token with odd unicode", revokeBody("ory_st_" + "é".repeat(32)), { "Content-Type": "application/json" }],
    ["session_token with CR/LF", revokeBody("ory_st_" + "a".repeat(30) + "\r\n"), { "Content-Type": "application/json" }],
  ])("%s → 400 in the error envelope", async (_name, body, headers) => {
    const response = await logout(body, headers);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const { error } = (await response.json()) as { error: { code: number; status: string; reason: string } };
    expect(error).toMatchObject({ code: 400, status: "Bad Request" });
    expect(error.reason.length).toBeGreaterThan(10);
  });

  it("an oversized body → 413, nothing read", async () => {
    const response = await logout(JSON.stringify({ session_token: "ory_st_" + "a".repeat(32), pad: "x".repeat(100_000) }));
    expect(response.status).toBe(413);
  });

  it("a well-formed token that matches no session → 403 with Kratos's reason", async () => {
    const response = await logout(revokeBody("ory_st_" + "A".repeat(32)));
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { reason: string } };
    expect(error.reason).toBe("The provided Ory Session Token could not be found, is invalid, or otherwise malformed.");
  });

  it("a token of an active session → 204, the session is revoked softly, no cookie touched", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail());
    expect(await whoamiStatus(session_token)).toBe(200);
    const response = await logout(revokeBody(session_token));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const row = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.active).toBe(false);
    expect(row.revokedAt).not.toBeNull();
    expect(await whoamiStatus(session_token)).toBe(401);
  });

  it("repeating the call → 204 again, revoked exactly once", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail());
    expect((await logout(revokeBody(session_token))).status).toBe(204);
    const { revokedAt } = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect((await logout(revokeBody(session_token))).status).toBe(204);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt).toEqual(revokedAt);
  });

  it("a token of an expired session → 204, and it is marked revoked", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail());
    await app.db.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await logout(revokeBody(session_token))).status).toBe(204);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });

  it("only the given session is revoked", async () => {
    const email = uniqueEmail();
    const first = await registerNative(app, email);
    const other = await registerNative(app, uniqueEmail());
    expect((await logout(revokeBody(first.session_token))).status).toBe(204);
    expect(await whoamiStatus(other.session_token)).toBe(200);
  });

  it("fifty simultaneous revocations of one token → all 204, revoked once", async () => {
    const { session_token, session } = await registerNative(app, uniqueEmail());
    const responses = await Promise.all(Array.from({ length: 50 }, () => logout(revokeBody(session_token))));
    expect(responses.map((r) => r.status).filter((s) => s !== 204)).toEqual([]);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });

  it("other methods are refused", async () => {
    const response = await fetch(`${app.url}/self-service/logout/api`, { method: "POST", body: revokeBody("x") });
    expect(response.status).toBe(405);
  });
});
