import { sessionInactive } from "@/lib/server/errors";
import { revokeMySession } from "@/lib/server/sessions/my-sessions";
import { getCurrentSession } from "@/lib/http/current-session";
import { handler } from "@/lib/http/handler";
import { noContent } from "@/lib/http/responses";

/** DELETE /sessions/{id} — sign out one of the user's other devices: 204. */
export const DELETE = handler<{ params: Promise<{ id: string }> }>(async (_request, { params }) => {
  const current = await getCurrentSession();
  if (!current) throw sessionInactive();
  await revokeMySession(current, (await params).id);
  return noContent();
});
