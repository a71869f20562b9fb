// The answers every route builds: SPEC section 1's headers and error envelope, spelled out here once
// as the SPEC writes them (tests elsewhere compare with the app's own constant).

import { describe, expect, it } from "vitest";
import { errorJson, json, NO_CACHE_HEADERS, noContent, seeOther } from "@/lib/http/responses";
import { KratosError, passwordHashingBusy, sessionInactive } from "@/lib/server/errors";

describe("responses", () => {
  it("no-cache headers are SPEC section 1's, to the letter", () => {
    expect(NO_CACHE_HEADERS).toEqual({
      "Cache-Control": "private, no-cache, no-store, must-revalidate",
      Vary: "Cookie",
    });
  });

  it.each([
    ["json", json({ a: 1 }, 201)],
    ["noContent", noContent()],
    ["seeOther", seeOther("https://app.example/next")],
  ])("%s carries them, and a policy under which nothing in the answer can run", async (_name, response) => {
    expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store, must-revalidate");
    expect(response.headers.get("vary")).toBe("Cookie");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("json is UTF-8 JSON with the given status; seeOther says where", async () => {
    const answer = json({ a: 1 }, 201, { cookies: ["a=1", "b=2"], headers: { Link: "<x>" } });
    expect(answer.status).toBe(201);
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(answer.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(answer.headers.get("link")).toBe("<x>");
    expect(await answer.json()).toEqual({ a: 1 });
    const redirect = seeOther(new URL("https://app.example/next"));
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")).toBe("https://app.example/next");
  });

  it("errorJson is Kratos's envelope", async () => {
    const answer = errorJson(sessionInactive());
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({
      error: {
        id: "session_inactive",
        code: 401,
        status: "Unauthorized",
        reason: "No active session was found in this request.",
        message: "request does not have a valid authentication session",
      },
    });
  });

  it("errorJson says when to try again, and hides what was not a KratosError", async () => {
    const busy = errorJson(passwordHashingBusy());
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    const unexpected = errorJson(new Error("database password is hunter2"));
    expect(unexpected.status).toBe(500);
    expect(JSON.stringify(await unexpected.json())).not.toContain("hunter2");
    expect(errorJson(new KratosError(418, "short and stout")).headers.get("retry-after")).toBeNull();
  });
});
