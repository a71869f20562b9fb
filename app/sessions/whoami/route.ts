import { sessionInactive } from "@/lib/server/errors";
import { sessionJson } from "@/lib/server/sessions/session-json";
import { getCurrentSession } from "@/lib/http/current-session";
import { handler } from "@/lib/http/handler";
import { json } from "@/lib/http/responses";

/** GET /sessions/whoami — the session of the X-Session-Token, the cookie or the Bearer token. */
export const GET = handler(async () => {
  const session = await getCurrentSession();
  if (!session) throw sessionInactive();
  return json(sessionJson(session), 200, { headers: { "X-Kratos-Authenticated-Identity-Id": session.identity.id } });
});
