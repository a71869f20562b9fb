import { sessionInactive } from "@/lib/server/errors";
import { getCurrentSession } from "@/lib/http/current-session";
import { handler } from "@/lib/http/handler";
import { eventStreamResponse, sessionEventStream } from "@/lib/http/session-event-stream";

/**
 * GET /sessions/events — Server-Sent Events about the session of the X-Session-Token, the cookie or
 * the Bearer token (as whoami): `session_revoked` or `session_expired` when it ends, then the end.
 */
export const GET = handler(async (request) => {
  const session = await getCurrentSession();
  if (!session) throw sessionInactive();
  return sessionEventStream(session, request.signal);
});

/**
 * HEAD /sessions/events — the same status and headers, without a stream. (Next.js would answer HEAD
 * by calling GET, whose stream no one would read or close: it would hold one of the session's places.)
 */
export const HEAD = handler(async () => {
  if (!(await getCurrentSession())) throw sessionInactive();
  return eventStreamResponse(null);
});
