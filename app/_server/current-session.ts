// The one way pages, route handlers and server actions read who is signed in.

import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { activeSessionFromHeaders } from "./sessions";

/** The active session of the current request, or undefined. Looked up once per request. */
export const getCurrentSession = cache(async () => activeSessionFromHeaders(await headers()));
