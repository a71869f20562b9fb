import { adminSessionJson } from "@/lib/server/admin/admin-json";
import { getSessionForAdmin, parseSessionExpansion, revokeSessionAsAdmin } from "@/lib/server/admin/admin-sessions";
import { adminRoute } from "@/lib/http/admin";
import { json, noContent } from "@/lib/http/responses";

type Context = { params: Promise<{ id: string }> };

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = adminRoute<Context>({
  /** GET /admin/sessions/{id} — the session in whatever state it is, with `expand=identity|devices`. */
  GET: async (request, { params }) => {
    const expand = parseSessionExpansion(new URL(request.url).searchParams.getAll("expand"));
    return json(adminSessionJson(await getSessionForAdmin((await params).id), expand));
  },
  /** DELETE /admin/sessions/{id} — end it: 204, also when it had ended already; 404 when there is none. */
  DELETE: async (_request, { params }) => {
    await revokeSessionAsAdmin((await params).id);
    return noContent();
  },
});
