// SPEC section 3: DELETE /self-service/logout/api, one test per row.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { BODY_LIMIT_BYTES } from "@/lib/http/request-body";
import { NO_CACHE } from "../support/client";
import { signedIn, signedInSessions } from "../support/sessions";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp();
});
afterAll(() => app.stop());

function logout(body: BodyInit | null, headers: Record<string, string> = { "Content-Type": "application/json" }) {
  return app.fetch(`/self-service/logout/api`, { method: "DELETE", body, headers });
}

const revokeBody = (token: unknown) => JSON.stringify({ session_token: token });

async function whoamiStatus(token: string): Promise<number> {
  return (await app.fetch(`/sessions/whoami`, { headers: { "X-Session-Token": token } })).status;
}

describe("DELETE /self-service/logout/api", () => {
  const JSON_TYPE = { "Content-Type": "application/json" };
  const TOKEN_FORM =
    "The session_token is malformed: an Ory Session Token is ory_st_ followed by 32 letters and digits.";
  it.each<[string, BodyInit | null, Record<string, string>, string]>([
    ["empty body", null, JSON_TYPE, "The request body is empty."],
    ["not JSON", "session_token=ory_st_x", JSON_TYPE, "The request body is not valid JSON."],
    ["malformed JSON", '{"session_token": ', JSON_TYPE, "The request body is not valid JSON."],
    ["a JSON array", "[]", JSON_TYPE, "The request body must be a JSON object."],
    [
      "wrong content type",
      revokeBody("ory_st_" + "a".repeat(32)),
      { "Content-Type": "text/plain" },
      'The request Content-Type must be application/json, got "text/plain".',
    ],
    [
      "a form body",
      "session_token=ory_st_" + "a".repeat(32),
      { "Content-Type": "application/x-www-form-urlencoded" },
      'The request Content-Type must be application/json, got "application/x-www-form-urlencoded".',
    ],
    [
      "no content type",
      // Bytes, not a string: fetch would label a string text/plain.
      new TextEncoder().encode(revokeBody("ory_st_" + "a".repeat(32))),
      {},
      'The request Content-Type must be application/json, got "none".',
    ],
    ["session_token missing", "{}", JSON_TYPE, "Please include the session_token to revoke in the request body."],
    [
      "session_token null",
      revokeBody(null),
      JSON_TYPE,
      "Please include the session_token to revoke in the request body.",
    ],
    [
      "session_token empty",
      revokeBody(""),
      JSON_TYPE,
      "Please include the session_token to revoke in the request body.",
    ],
    ["session_token a number", revokeBody(42), JSON_TYPE, "The session_token must be a string."],
    ["session_token an object", revokeBody({ token: "x" }), JSON_TYPE, "The session_token must be a string."],
    ["session_token too short", revokeBody("ory_st_abc"), JSON_TYPE, TOKEN_FORM],
    ["session_token without prefix", revokeBody("a".repeat(32)), JSON_TYPE, TOKEN_FORM],
    ["session_token with odd unicode", revokeBody("ory_st_" + "é".repeat(32)), JSON_TYPE, TOKEN_FORM],
    ["session_token with CR/LF", revokeBody("ory_st_" + "a".repeat(30) + "\r\n"), JSON_TYPE, TOKEN_FORM],
  ])("%s → 400 in the error envelope", async (_name, body, headers, reason) => {
    const response = await logout(body, headers);
    await expect(response).toHaveStatus(400);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    expect(await response.json()).toEqual({
      error: {
        code: 400,
        status: "Bad Request",
        reason,
        message: "The request was malformed or contained invalid parameters",
      },
    });
  });

  /** A body that counts how many bytes the server pulled from it. */
  function countingBody(size: number, chunk = 1024) {
    const read = { bytes: 0 };
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (read.bytes >= size) return controller.close();
          read.bytes += chunk;
          controller.enqueue(new Uint8Array(chunk).fill(0x20));
        },
        // Pulled only when the server reads, never ahead of it.
      },
      { highWaterMark: 0 },
    );
    return { body, read };
  }

  it("an oversized body that says so in Content-Length → 413, nothing read", async () => {
    const { body, read } = countingBody(100_000);
    const response = await app.fetch("/self-service/logout/api", {
      method: "DELETE",
      body,
      headers: { ...JSON_TYPE, "Content-Length": "100000" },
      // @ts-expect-error -- Node's fetch needs this for a streamed body
      duplex: "half",
    });
    await expect(response).toHaveStatus(413);
    expect(read.bytes).toBe(0);
  });

  it("an oversized body without Content-Length → 413, read no further than the limit", async () => {
    const { body, read } = countingBody(100_000);
    const response = await app.fetch("/self-service/logout/api", {
      method: "DELETE",
      body,
      headers: JSON_TYPE,
      // @ts-expect-error -- Node's fetch needs this for a streamed body
      duplex: "half",
    });
    await expect(response).toHaveStatus(413);
    expect(read.bytes).toBeLessThanOrEqual(BODY_LIMIT_BYTES + 2 * 1024);
  });

  it("a well-formed token that matches no session → 403 with Kratos's reason", async () => {
    const response = await logout(revokeBody("ory_st_" + "A".repeat(32)));
    await expect(response).toHaveStatus(403);
    const { error } = (await response.json()) as { error: { reason: string } };
    expect(error.reason).toBe("The provided Ory Session Token could not be found, is invalid, or otherwise malformed.");
  });

  it("a token of an active session → 204, the session is revoked softly, no cookie touched", async () => {
    const { token: session_token, ...session } = await signedIn();
    expect(await whoamiStatus(session_token)).toBe(200);
    const response = await logout(revokeBody(session_token));
    await expect(response).toHaveStatus(204);
    expect(await response.text()).toBe("");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const row = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.active).toBe(false);
    expect(row.revokedAt).not.toBeNull();
    expect(await whoamiStatus(session_token)).toBe(401);
  });

  it("repeating the call → 204 again, revoked exactly once", async () => {
    const { token: session_token, ...session } = await signedIn();
    await expect(await logout(revokeBody(session_token))).toHaveStatus(204);
    const { revokedAt } = await app.db.session.findUniqueOrThrow({ where: { id: session.id } });
    await expect(await logout(revokeBody(session_token))).toHaveStatus(204);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt).toEqual(revokedAt);
  });

  it("a token of an expired session → 204, and it is marked revoked", async () => {
    const { token: session_token, ...session } = await signedIn();
    await app.db.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(await logout(revokeBody(session_token))).toHaveStatus(204);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });

  it("only the given session is revoked", async () => {
    const [first, other] = await signedInSessions(2);
    await expect(await logout(revokeBody(first!.token))).toHaveStatus(204);
    expect(await whoamiStatus(other!.token)).toBe(200);
  });

  it("fifty simultaneous revocations of one token → all 204, revoked once", async () => {
    const { token: session_token, ...session } = await signedIn();
    const responses = await Promise.all(Array.from({ length: 50 }, () => logout(revokeBody(session_token))));
    expect(responses.map((r) => r.status).filter((s) => s !== 204)).toEqual([]);
    expect((await app.db.session.findUniqueOrThrow({ where: { id: session.id } })).active).toBe(false);
  });

  it("other methods are refused", async () => {
    const response = await app.fetch(`/self-service/logout/api`, { method: "POST", body: revokeBody("x") });
    await expect(response).toHaveStatus(405);
  });
});
