import { performNativeLogout } from "@/app/_server/logout";
import { handler, noContent } from "@/app/_server/responses";

/** DELETE /self-service/logout/api — revoke a session token (native apps). Never touches cookies. */
export const DELETE = handler(async (request) => {
  await performNativeLogout(request);
  return noContent();
});
