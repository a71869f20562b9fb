import { adminSessionJson, EXPAND_EVERYTHING } from "@/lib/server/admin/admin-json";
import { extendSession } from "@/lib/server/admin/admin-sessions";
import { adminRoute } from "@/lib/http/admin";
import { json } from "@/lib/http/responses";

type Context = { params: Promise<{ id: string }> };

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = adminRoute<Context>({
  /** PATCH /admin/sessions/{id}/extend — 200 and the session, now expiring a lifespan from now; 404 once ended. */
  PATCH: async (_request, { params }) =>
    json(adminSessionJson(await extendSession((await params).id), EXPAND_EVERYTHING)),
});
