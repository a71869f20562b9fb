// Reading a request body defensively: a size limit enforced while streaming (a lying or missing
// Content-Length changes nothing), and only the two encodings HTML forms and API clients use.

import type { z } from "zod";
import { badRequest, payloadTooLarge } from "@/lib/server/errors";
import { mediaType } from "./negotiation";

/** Self-service bodies are a handful of short fields; anything larger is not a real client. */
export const BODY_LIMIT_BYTES = 16 * 1024;

async function readText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw badRequest("The request body is not valid UTF-8.");
  }
}

function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}

function parseJson(text: string): Record<string, unknown> {
  const value = parseJsonValue(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** Form fields; "traits.email" becomes { traits: { email } }, as Kratos decodes forms. */
function parseForm(text: string): Record<string, unknown> {
  // Null-prototype objects: a field named "__proto__.x" must not reach Object.prototype.
  const result: Record<string, unknown> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const [head, ...rest] = key.split(".");
    if (!head) continue;
    if (rest.length === 0) {
      result[head] = value;
      continue;
    }
    const existing = Object.hasOwn(result, head) ? result[head] : undefined;
    const nested = typeof existing === "object" && existing !== null ? existing : Object.create(null);
    (nested as Record<string, unknown>)[rest.join(".")] = value;
    result[head] = nested;
  }
  return result;
}

export type BodyEncoding = "json" | "form";

/** The body as an object, or a 4xx KratosError for anything else. */
export async function readBody(
  request: Request,
  accepted: readonly BodyEncoding[],
  limit = BODY_LIMIT_BYTES,
): Promise<{ encoding: BodyEncoding; fields: Record<string, unknown> }> {
  const type = mediaType(request.headers.get("content-type"));
  const encoding: BodyEncoding | undefined =
    type === "application/json" ? "json" : type === "application/x-www-form-urlencoded" ? "form" : undefined;
  if (!encoding || !accepted.includes(encoding)) {
    const names = accepted.map((e) => (e === "json" ? "application/json" : "application/x-www-form-urlencoded"));
    throw badRequest(
      `The request Content-Type must be ${names.join(" or ")}, got ${JSON.stringify(type ?? "none")}.`,
      `The request Content-Type must be ${names.join(" or ")}.`,
    );
  }
  const text = await readText(request, limit);
  if (text.trim() === "") throw badRequest("The request body is empty.");
  return { encoding, fields: encoding === "json" ? parseJson(text) : parseForm(text) };
}

/** The body parsed by a zod schema; the first problem it finds is the 400's reason. */
export async function parseBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  accepted: readonly BodyEncoding[],
): Promise<z.infer<Schema>> {
  const { fields } = await readBody(request, accepted);
  const parsed = schema.safeParse(fields);
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? "The request body is not valid.");
  return parsed.data;
}

/**
 * A JSON body that need not be an object (a JSON Patch is an array), parsed by a zod schema.
 * `application/json` or, for a patch, `application/json-patch+json`; the same size limit.
 */
export async function parseJsonBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const type = mediaType(request.headers.get("content-type"));
  if (type !== "application/json" && type !== "application/json-patch+json") {
    throw badRequest(`The request Content-Type must be application/json, got ${JSON.stringify(type ?? "none")}.`);
  }
  const text = await readText(request, BODY_LIMIT_BYTES);
  if (text.trim() === "") throw badRequest("The request body is empty.");
  const parsed = schema.safeParse(parseJsonValue(text));
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? "The request body is not valid.");
  return parsed.data;
}
