// The admin API under test: the token the apps are started with, and raw requests with it.

import type { App } from "./app";

/** ADMIN_API_TOKEN of the test apps: 48 characters. */
export const ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdefghijklmnop";

export const asAdmin = (headers: Record<string, string> = {}) => ({
  Authorization: `Bearer ${ADMIN_TOKEN}`,
  ...headers,
});

/** A request to the admin API with the admin token. */
export function adminFetch(app: App, path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return app.fetch(path, { ...init, headers: asAdmin(init.headers) });
}

/** Every admin endpoint this app serves, with a method it answers, for the access rules. */
export const ADMIN_ENDPOINTS = (sessionId: string, identityId: string): [string, string][] => [
  ["GET", "/admin/sessions"],
  ["GET", `/admin/sessions/${sessionId}`],
  ["DELETE", `/admin/sessions/${sessionId}`],
  ["PATCH", `/admin/sessions/${sessionId}/extend`],
  ["GET", `/admin/identities/${identityId}/sessions`],
  ["DELETE", `/admin/identities/${identityId}/sessions`],
  ["GET", `/admin/identities/${identityId}`],
  ["PATCH", `/admin/identities/${identityId}`],
];

/** A JSON Patch that deactivates an identity. */
export const DEACTIVATE = JSON.stringify([{ op: "replace", path: "/state", value: "inactive" }]);
