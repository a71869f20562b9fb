import { sessionInactive } from "@/lib/server/errors";
import { listOtherSessions, revokeOtherSessions } from "@/lib/server/sessions/my-sessions";
import { parsePageRequest, parseSessionFilter } from "@/lib/server/sessions/pagination";
import { ENDED_SESSIONS_LIMIT, listEndedSessions } from "@/lib/server/sessions/session-endings";
import { endedSessionJson, sessionJson } from "@/lib/server/sessions/session-json";
import { getCurrentSession } from "@/lib/http/current-session";
import { handler } from "@/lib/http/handler";
import { json, paginationLinkHeader } from "@/lib/http/responses";

// The JSON API of /sessions. A folder holds a page or a route handler, not both, and /sessions is
// also the devices page (../page.tsx): proxy.ts sends every /sessions request but a browser's page
// view here. The path /sessions/others itself is not served.

/**
 * GET /sessions — the signed-in user's other active sessions, newest first, paginated. With
 * `active=false` (an addition to Kratos's frontend API): the user's sessions that ended in the last
 * 30 days, most recently ended first, at most 20, each with how it ended.
 */
export const GET = handler(async (request) => {
  const current = await getCurrentSession();
  if (!current) throw sessionInactive();
  const query = new URL(request.url).searchParams;
  const page = parsePageRequest(query.get("page_size"), query.get("page_token"));
  if (parseSessionFilter(query.get("active")).active === false) {
    const size = Math.min(page.size, ENDED_SESSIONS_LIMIT);
    const ended = await listEndedSessions(current, size);
    return json(ended.map(endedSessionJson), 200, {
      headers: { Link: paginationLinkHeader("/sessions?active=false", size, undefined) },
    });
  }
  const { sessions, nextPageToken } = await listOtherSessions(current, page);
  return json(sessions.map(sessionJson), 200, {
    headers: { Link: paginationLinkHeader("/sessions", page.size, nextPageToken) },
  });
});

/** DELETE /sessions — sign out every other device of the user: 200 {"count": n}. */
export const DELETE = handler(async () => {
  const current = await getCurrentSession();
  if (!current) throw sessionInactive();
  return json({ count: await revokeOtherSessions(current) });
});
