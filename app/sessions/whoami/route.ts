import { getCurrentSession } from "@/app/_server/current-session";
import { sessionInactive } from "@/app/_server/errors";
import { handler, json } from "@/app/_server/responses";
import { sessionJson } from "@/app/_server/sessions";

/** GET /sessions/whoami — the session of the X-Session-Token, the cookie or the Bearer token. */
export const GET = handler(async () => {
  const session = await getCurrentSession();
  if (!session) throw sessionInactive();
  return json(sessionJson(session), 200, { headers: { "X-Kratos-Authenticated-Identity-Id": session.identity.id } });
});
