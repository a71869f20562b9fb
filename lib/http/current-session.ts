// The one way pages, route handlers and server actions read who is signed in.

import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { findActiveSession } from "@/lib/server/sessions/sessions";
import { requestCredential } from "./credentials";

/** The current request's session credential, if it carries one. Read once per request. */
export const getCurrentCredential = cache(async () => requestCredential(await headers()));

/** The active session of the current request, or undefined. Looked up once per request. */
export const getCurrentSession = cache(async () => {
  const credential = await getCurrentCredential();
  return credential ? findActiveSession(credential.token) : undefined;
});
