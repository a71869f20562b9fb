// Errors that happen during a browser's self-service request are stored, and the browser is sent
// to the error page with the id; the page (or any client) reads them back by id.

import { db } from "./database/client";
import type { ErrorBody, KratosError } from "./errors";
import { isUuid } from "./ids";

export type StoredError = { id: string; error: ErrorBody; created_at: string; updated_at: string };

export async function storeError(error: KratosError): Promise<string> {
  const row = await db().selfServiceError.create({
    data: { id: crypto.randomUUID(), error: JSON.stringify(error.toJSON()) },
  });
  return row.id;
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
