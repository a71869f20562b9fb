// Kratos's keyset pagination of session lists (`page_size`, `page_token`, the `Link` header), the one
// way every list of sessions is paged: the user's own (my-sessions.ts) and the operators' (admin/).
// Newest sign-in first; a page starts after the last session of the one before.

import type { Prisma } from "../database/client";
import { badRequest } from "../errors";
import { isUuid } from "../ids";

// Kratos's sizes: 250 by default, at most 1000; a larger page_size is clamped, not refused.
export const DEFAULT_PAGE_SIZE = 250;
export const MAX_PAGE_SIZE = 1000;

/** Where a page starts: after the session with this sign-in time and id, in newest-first order. */
type Cursor = { authenticatedAt: Date; id: string };

export type PageRequest = { size: number; after?: Cursor };

export type Page<Item> = { items: Item[]; nextPageToken?: string };

/**
 * The page token is the last listed session's (authenticated_at, id), base64url-encoded. It needs no
 * signature: it only moves the cursor within what the caller may list anyway (the signed-in user's
 * own sessions, or, behind the admin token, everything).
 */
function encodePageToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.authenticatedAt.getTime(), cursor.id])).toString("base64url");
}

function decodePageToken(token: string): Cursor {
  try {
    const [ms, id] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown[];
    if (Number.isSafeInteger(ms) && typeof id === "string" && isUuid(id)) {
      return { authenticatedAt: new Date(ms as number), id };
    }
  } catch {
    // falls through to the 400 below
  }
  throw badRequest("The page_token is not valid. Use the one from the Link header of the previous page.");
}

/** `page_size` and `page_token` as the query string gave them (null when absent); anything malformed is a 400. */
export function parsePageRequest(pageSize: string | null, pageToken: string | null): PageRequest {
  let size = DEFAULT_PAGE_SIZE;
  if (pageSize) {
    if (!/^\d{1,9}$/.test(pageSize) || Number(pageSize) < 1) {
      throw badRequest(`The page_size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
    size = Math.min(Number(pageSize), MAX_PAGE_SIZE);
  }
  return pageToken ? { size, after: decodePageToken(pageToken) } : { size };
}

/** Kratos's `active` filter: true lists sessions that still count, false those that ended; absent lists all. */
export type SessionFilter = { active?: boolean };

// Go's strconv.ParseBool, which Kratos parses `active` with.
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** The `active` query parameter (null or empty when absent); anything but a boolean is a 400. */
export function parseSessionFilter(active: string | null): SessionFilter {
  if (active === null || active === "") return {};
  if (TRUE.has(active)) return { active: true };
  if (FALSE.has(active)) return { active: false };
  throw badRequest(`The active parameter must be true or false, got ${JSON.stringify(active)}.`);
}

/** The query of one page, for a caller's findMany (which picks what to include with each row). */
export type PageQuery = {
  where: Prisma.SessionWhereInput;
  orderBy: Prisma.SessionOrderByWithRelationInput[];
  take: number;
};

/**
 * One page of the sessions `where` selects, newest sign-in first. `find` runs the query (a
 * findMany with the caller's own `include`); the rows it returns are paged here.
 */
export async function pageOfSessions<Row extends Cursor>(
  where: Prisma.SessionWhereInput,
  page: PageRequest,
  find: (query: PageQuery) => Promise<Row[]>,
): Promise<Page<Row>> {
  const after = page.after;
  const rows = await find({
    where: after
      ? {
          AND: [
            where,
            {
              OR: [
                { authenticatedAt: { lt: after.authenticatedAt } },
                { authenticatedAt: after.authenticatedAt, id: { lt: after.id } },
              ],
            },
          ],
        }
      : where,
    // The id breaks ties between sessions signed in at the same millisecond, so no page repeats or skips one.
    orderBy: [{ authenticatedAt: "desc" }, { id: "desc" }],
    // One more than asked for tells whether there is a next page without counting.
    take: page.size + 1,
  });
  const items = rows.slice(0, page.size);
  const last = items.at(-1);
  return rows.length > page.size && last ? { items, nextPageToken: encodePageToken(last) } : { items };
}
