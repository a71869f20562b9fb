import { z } from "zod";
import { performNativeLogout } from "@/lib/server/logout/logout";
import { SESSION_TOKEN_PATTERN } from "@/lib/server/secrets";
import { parseBody } from "@/lib/http/request-body";
import { handler } from "@/lib/http/handler";
import { noContent } from "@/lib/http/responses";

const MISSING = "Please include the session_token to revoke in the request body.";

const NativeLogoutBody = z.object({
  session_token: z
    .string({
      error: (issue) =>
        issue.input === undefined || issue.input === null ? MISSING : "The session_token must be a string.",
    })
    .min(1, MISSING)
    .regex(
      SESSION_TOKEN_PATTERN,
      "The session_token is malformed: an Ory Session Token is ory_st_ followed by 32 letters and digits.",
    ),
});

/** DELETE /self-service/logout/api — revoke a session token (native apps). Never touches cookies. */
export const DELETE = handler(async (request) => {
  const { session_token } = await parseBody(request, NativeLogoutBody, ["json"]);
  await performNativeLogout(session_token);
  return noContent();
});
