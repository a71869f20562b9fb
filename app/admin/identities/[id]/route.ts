import { z } from "zod";
import { adminIdentityJson } from "@/lib/server/admin/admin-json";
import { getIdentityForAdmin, patchIdentity } from "@/lib/server/admin/admin-identities";
import { adminRoute } from "@/lib/http/admin";
import { parseJsonBody } from "@/lib/http/request-body";
import { json } from "@/lib/http/responses";

type Context = { params: Promise<{ id: string }> };

// RFC 6902's shape; which operations this app applies is the domain's decision (stateFromPatch).
const JsonPatch = z.array(
  z.object({
    op: z.enum(["add", "remove", "replace", "move", "copy", "test"], {
      error: "Each JSON Patch operation needs an op: add, remove, replace, move, copy or test.",
    }),
    path: z.string({ error: "Each JSON Patch operation needs a path (a JSON Pointer such as /state)." }),
    value: z.unknown().optional(),
    from: z.string().optional(),
  }),
  {
    error:
      'The request body must be a JSON Patch: an array such as [{"op":"replace","path":"/state","value":"inactive"}].',
  },
);

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = adminRoute<Context>({
  /** GET /admin/identities/{id} — the identity; 404 when there is none. */
  GET: async (_request, { params }) => json(adminIdentityJson(await getIdentityForAdmin((await params).id))),
  /**
   * PATCH /admin/identities/{id} — a JSON Patch of its state: 200 and the identity. Setting it
   * "inactive" ends every session of it that still counts, in the same transaction.
   */
  PATCH: async (request, { params }) => {
    const { id } = await params;
    const operations = await parseJsonBody(request, JsonPatch);
    const { identity } = await patchIdentity(id, operations);
    return json(adminIdentityJson(identity));
  },
});
