import { sessionInactive } from "@/lib/server/errors";
import { createLogoutUrl } from "@/lib/server/logout/logout";
import { getCurrentSession } from "@/lib/http/current-session";
import { handler } from "@/lib/http/handler";
import { json } from "@/lib/http/responses";

/**
 * GET /self-service/logout/browser — a logout URL for the signed-in browser. Always JSON: this is
 * fetched by a client or a server, never visited.
 */
export const GET = handler(async (request) => {
  const session = await getCurrentSession();
  if (!session) throw sessionInactive();
  return json(createLogoutUrl(session.id, new URL(request.url).searchParams.get("return_to")));
});
