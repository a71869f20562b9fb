import { getCurrentSession } from "@/app/_server/current-session";
import { sessionInactive } from "@/app/_server/errors";
import { handler, json } from "@/app/_server/responses";
import { sessionJson } from "@/app/_server/sessions";
import { listOtherSessions, paginationLinkHeader, parsePageRequest, revokeOtherSessions } from "@/app/_server/user-sessions";

// A browser navigation to /sessions shows the devices page instead: see proxy.ts.

/** GET /sessions — the signed-in user's other active sessions, newest first, paginated. */
export const GET = handler(async (request) => {
  const current = await getCurrentSession();
  if (!current) throw sessionInactive();
  const page = parsePageRequest(new URL(request.url).searchParams);
  const { sessions, nextPageToken } = await listOtherSessions(current, page);
  return json(sessions.map(sessionJson), 200, { headers: { Link: paginationLinkHeader(page.size, nextPageToken) } });
});

/** DELETE /sessions — sign out every other device of the user: 200 {"count": n}. */
export const DELETE = handler(async () => {
  const current = await getCurrentSession();
  if (!current) throw sessionInactive();
  return json({ count: await revokeOtherSessions(current) });
});
