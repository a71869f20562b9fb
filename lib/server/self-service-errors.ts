// Errors that happen during a browser's self-service request are stored, and the browser is sent
// to the error page with the id; the page (or any client) reads them back by id. The errors of
// flows this app does not offer are the same for everyone: they live in code under fixed ids
// (unoffered-flows.ts) and are never stored.

import { db } from "./database/client";
import type { ErrorBody, KratosError } from "./errors";
import { isUuid } from "./ids";
import { unofferedFlowError } from "./unoffered-flows";

/** When this process started: the timestamps of the errors that are not stored. */
const STARTED_AT = new Date().toISOString();

export type StoredError = { id: string; error: ErrorBody; created_at: string; updated_at: string };

export async function storeError(error: KratosError): Promise<string> {
  const row = await db().selfServiceError.create({
    data: { id: crypto.randomUUID(), error: JSON.stringify(error.toJSON()) },
  });
  return row.id;
}

export async function findError(id: string): Promise<StoredError | undefined> {
  if (!isUuid(id)) return undefined;
  const fixed = unofferedFlowError(id);
  if (fixed) return { id: fixed.errorId, error: fixed.error.toJSON(), created_at: STARTED_AT, updated_at: STARTED_AT };
  const row = await db().selfServiceError.findUnique({ where: { id: id.toLowerCase() } });
  if (!row) return undefined;
  return {
    id: row.id,
    error: JSON.parse(row.error) as ErrorBody,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
