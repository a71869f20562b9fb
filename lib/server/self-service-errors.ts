// Errors that happen during a browser's self-service request are stored, and the browser is sent
// to the error page with the id; the page (or any client) reads them back by id.
//
// A stored error is named by its content (a UUID made from a hash of its body), so the same error
// is one row however often it happens: a flood of junk requests writes nothing after the first of
// each kind. What is stored quotes none of the request (see KratosError.storedReason): the set of
// stored errors stays small and fixed, and a link cannot put its own words on the error page.

import { createHash } from "node:crypto";
import { db, Prisma } from "./database/client";
import type { ErrorBody, KratosError } from "./errors";
import { isUuid } from "./ids";

export type StoredError = { id: string; error: ErrorBody; created_at: string; updated_at: string };

/** A UUID (version 8, RFC 9562: "custom") derived from the error's body. */
function contentId(body: string): string {
  const hex = createHash("sha256").update(body).digest("hex").slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Stores the error unless an identical one is stored already; its id either way. */
export async function storeError(error: KratosError): Promise<string> {
  const body = JSON.stringify(error.toStoredJSON());
  const id = contentId(body);
  if (await db().selfServiceError.findUnique({ where: { id }, select: { id: true } })) return id;
  try {
    await db().selfServiceError.create({ data: { id, error: body } });
  } catch (thrown) {
    // Another request stored the same error at the same moment: it is there.
    if (!(thrown instanceof Prisma.PrismaClientKnownRequestError && thrown.code === "P2002")) throw thrown;
  }
  return id;
}

export async function findError(id: string): Promise<StoredError | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db().selfServiceError.findUnique({ where: { id: id.toLowerCase() } });
  if (!row) return undefined;
  return {
    id: row.id,
    error: JSON.parse(row.error) as ErrorBody,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
