// The four ways a user ends sessions over HTTP, each answered only after the revocation (and its
// webhook event) committed. For tests of what a revocation leaves behind, in-process or against
// the real server alike.

import type { App } from "./app";
import { logoutPath } from "./client";
import type { SignedIn } from "./sessions";

/** GET /self-service/logout with the session's cookie and its own logout URL (JSON: 204). */
export async function browserLogout(app: App, session: SignedIn): Promise<Response> {
  const path = await logoutPath(app, session.cookie);
  return app.fetch(path, { headers: { cookie: session.cookie, accept: "application/json" } });
}

/** DELETE /self-service/logout/api with the session token (204). */
export function nativeLogout(app: App, token: string): Promise<Response> {
  return app.fetch("/self-service/logout/api", {
    method: "DELETE",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ session_token: token }),
  });
}

/** DELETE /sessions/{id}: the session `as` signs out another of the user's devices (204). */
export function revokeDevice(app: App, as: SignedIn, id: string): Promise<Response> {
  return app.fetch(`/sessions/${id}`, { method: "DELETE", headers: { "X-Session-Token": as.token } });
}

/** DELETE /sessions: the session `as` signs out every other device of the user (200 {count}). */
export function revokeOthers(app: App, as: SignedIn): Promise<Response> {
  return app.fetch("/sessions", { method: "DELETE", headers: { "X-Session-Token": as.token } });
}
