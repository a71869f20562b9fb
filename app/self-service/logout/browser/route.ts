import { getCurrentSession } from "@/app/_server/current-session";
import { sessionInactive } from "@/app/_server/errors";
import { createLogoutUrl } from "@/app/_server/logout";
import { handler, json } from "@/app/_server/responses";

/**
 * GET /self-service/logout/browser — a logout URL for the signed-in browser. Always JSON: this is
 * fetched by a client or a server, never visited.
 */
export const GET = handler(async (request) => {
  const session = await getCurrentSession();
  if (!session) throw sessionInactive();
  return json(createLogoutUrl(session, new URL(request.url).searchParams.get("return_to")));
});
