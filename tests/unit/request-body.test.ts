import { describe, expect, it } from "vitest";
import { BODY_LIMIT_BYTES, readBody } from "@/lib/http/request-body";

const post = (body: BodyInit | null, contentType?: string) =>
  new Request("http://localhost/x", {
    method: "POST",
    body,
    headers: contentType ? { "content-type": contentType } : {},
  });

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: number }).code;
  }
}

describe("readBody", () => {
  it("reads JSON objects", async () => {
    const { fields } = await readBody(post('{"a":1}', "application/json; charset=utf-8"), ["json"]);
    expect(fields).toEqual({ a: 1 });
  });

  it("reads forms, nesting dotted names as Kratos does", async () => {
    const { fields } = await readBody(post("traits.email=a%40b.c&password=x", "application/x-www-form-urlencoded"), [
      "form",
    ]);
    expect(fields).toEqual({ traits: { email: "a@b.c" }, password: "x" });
  });

  it("does not let a form field reach Object.prototype", async () => {
    await readBody(
      post("__proto__.polluted=yes&constructor.prototype.polluted=yes", "application/x-www-form-urlencoded"),
      ["form"],
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["empty body", post(null, "application/json")],
    ["whitespace body", post("   ", "application/json")],
    ["malformed JSON", post("{", "application/json")],
    ["a JSON array", post("[1]", "application/json")],
    ["a JSON string", post('"x"', "application/json")],
    ["no content type", post('{"a":1}')],
    ["text/plain", post('{"a":1}', "text/plain")],
    ["multipart", post("x", "multipart/form-data; boundary=x")],
    ["a form where only JSON is accepted", post("a=1", "application/x-www-form-urlencoded")],
    ["invalid UTF-8", post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "application/json")],
  ])("refuses %s with 400", async (_name, request) => {
    expect(await codeOf(readBody(request, ["json"]))).toBe(400);
  });

  it("refuses an oversized body with 413, even without a Content-Length", async () => {
    const big = `{"a":"${"x".repeat(BODY_LIMIT_BYTES)}"}`;
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const request = new Request("http://localhost/x", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      // @ts-expect-error -- Node's fetch needs this for streamed bodies
      duplex: "half",
    });
    expect(await codeOf(readBody(request, ["json"]))).toBe(413);
  });
});
