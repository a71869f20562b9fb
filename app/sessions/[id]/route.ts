import { getCurrentSession } from "@/app/_server/current-session";
import { sessionInactive } from "@/app/_server/errors";
import { handler, noContent } from "@/app/_server/responses";
import { revokeMySession } from "@/app/_server/user-sessions";

/** DELETE /sessions/{id} — sign out one of the user's other devices: 204. */
export const DELETE = handler<{ params: Promise<{ id: string }> }>(async (_request, { params }) => {
  const current = await getCurrentSession();
  if (!current) throw sessionInactive();
  await revokeMySession(current, (await params).id);
  return noContent();
});
