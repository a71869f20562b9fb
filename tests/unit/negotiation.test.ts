import { describe, expect, it } from "vitest";
import { isJsonRequest } from "@/lib/http/negotiation";

describe("isJsonRequest", () => {
  it.each([
    [{}, false],
    [{ accept: "*/*" }, false],
    [{ accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" }, false],
    [{ accept: "text/html, application/json" }, false],
    [{ accept: "application/json" }, true],
    [{ accept: "application/json, text/plain, */*" }, true],
    [{ accept: "application/json;q=0.5, text/html" }, false],
    [{ accept: "garbage;;;" }, false],
    [{ "content-type": "application/json" }, true],
    [{ "content-type": "application/json; charset=utf-8", accept: "*/*" }, true],
    [{ "content-type": "application/x-www-form-urlencoded" }, false],
  ])("%j → %s", (headers, expected) => {
    expect(isJsonRequest(new Headers(headers))).toBe(expected);
  });
});
