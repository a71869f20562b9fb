import { adminSessionJson } from "@/lib/server/admin/admin-json";
import { listAllSessions, parseSessionExpansion } from "@/lib/server/admin/admin-sessions";
import { parsePageRequest, parseSessionFilter } from "@/lib/server/sessions/pagination";
import { adminRoute } from "@/lib/http/admin";
import { json, paginationLinkHeader } from "@/lib/http/responses";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = adminRoute({
  /** GET /admin/sessions — every session, newest first: `active`, `expand`, `page_size`, `page_token`, `Link`. */
  GET: async (request) => {
    const query = new URL(request.url).searchParams;
    const filter = parseSessionFilter(query.get("active"));
    const page = parsePageRequest(query.get("page_size"), query.get("page_token"));
    const expand = parseSessionExpansion(query.getAll("expand"));
    const { items, nextPageToken } = await listAllSessions(filter, page);
    return json(
      items.map((session) => adminSessionJson(session, expand)),
      200,
      { headers: { Link: paginationLinkHeader("/admin/sessions", page.size, nextPageToken, query) } },
    );
  },
});
