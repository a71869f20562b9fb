// How a session ended, in words: for the devices page's list of ended sessions ("signed out from
// Chrome on Linux") and for the signed-out view a device shows when its own session ends ("You were
// signed out from this device by Firefox on Linux").

import type { SessionEnding } from "@/lib/server/sessions/session-endings";
import { describeUserAgent } from "./device-description";

/** What a device learns of its own session's end from its event stream (or nothing more than that it ended). */
export type LiveSessionEnding =
  | { type: "session_revoked"; reason: string; by: { user_agent: string } | null }
  | { type: "session_expired" }
  | { type: "session_ended" };

/** "Firefox on Linux", "an unknown device": a device named inside a sentence. */
function deviceInSentence(userAgent: string | null): string {
  return describeUserAgent(userAgent || null).replace(/^An? /, (article) => article.toLowerCase());
}

/** The devices page: how one of the user's ended sessions ended. */
export function describeHowSessionEnded(ending: SessionEnding, currentSessionId: string): string {
  if (ending.kind === "expired") return "expired";
  const by = ending.by
    ? ending.by.sessionId === currentSessionId
      ? "this device"
      : deviceInSentence(ending.by.userAgent)
    : "another device";
  switch (ending.reason) {
    case "logout":
    case "native_logout":
      return "signed out on this device";
    case "revoked_by_user":
      return `signed out from ${by}`;
    case "revoked_other_sessions":
      return `signed out everywhere else from ${by}`;
    case "revoked_by_admin":
      return "signed out by an administrator";
    case "identity_deactivated":
      return "signed out when the account was deactivated";
    default:
      return "signed out";
  }
}

/** The signed-out view: why this device is no longer signed in. */
export function describeSignOutOfThisDevice(ending: LiveSessionEnding): string {
  const start = "You were signed out from this device";
  if (ending.type === "session_expired") return `${start} because the session expired.`;
  if (ending.type === "session_ended") return `${start}.`;
  switch (ending.reason) {
    case "logout":
    case "native_logout":
      return `${start} by signing out here.`;
    case "revoked_by_user":
    case "revoked_other_sessions":
      return `${start} by ${ending.by ? deviceInSentence(ending.by.user_agent) : "another device"}.`;
    case "revoked_by_admin":
      return `${start} by an administrator.`;
    case "identity_deactivated":
      return `${start} because your account was deactivated.`;
    default:
      return `${start}.`;
  }
}
