import { adminSessionJson, EXPAND_EVERYTHING } from "@/lib/server/admin/admin-json";
import { listIdentitySessions, revokeIdentitySessions } from "@/lib/server/admin/admin-sessions";
import { parsePageRequest, parseSessionFilter } from "@/lib/server/sessions/pagination";
import { adminRoute } from "@/lib/http/admin";
import { json, noContent, paginationLinkHeader } from "@/lib/http/responses";

type Context = { params: Promise<{ id: string }> };

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = adminRoute<Context>({
  /** GET /admin/identities/{id}/sessions — the identity's sessions, newest first: `active`, pagination, `Link`. */
  GET: async (request, { params }) => {
    const { id } = await params;
    const query = new URL(request.url).searchParams;
    const filter = parseSessionFilter(query.get("active"));
    const page = parsePageRequest(query.get("page_size"), query.get("page_token"));
    const { items, nextPageToken } = await listIdentitySessions(id, filter, page);
    // Kratos expands everything here: the identity and the devices.
    return json(
      items.map((session) => adminSessionJson(session, EXPAND_EVERYTHING)),
      200,
      {
        headers: {
          Link: paginationLinkHeader(
            `/admin/identities/${encodeURIComponent(id)}/sessions`,
            page.size,
            nextPageToken,
            query,
          ),
        },
      },
    );
  },
  /** DELETE /admin/identities/{id}/sessions — end every session of the identity that still counts: 204. */
  DELETE: async (_request, { params }) => {
    await revokeIdentitySessions((await params).id);
    return noContent();
  },
});
