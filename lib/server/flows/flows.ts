// Login and registration flows with the password method, shaped as Kratos's flow objects so the
// official SDK and Kratos UIs can drive them. A flow is created, found, checked for expiry and
// CSRF, and completed here; submission.ts decides what a submitted form does, flow-ui.ts what it shows.

import { config, publicUrl } from "../config";
import { db, type SelfServiceFlow } from "../database/client";
import { csrfViolation, flowExpired, flowNotFound } from "../errors";
import { isUuid } from "../ids";
import { countNewFlow } from "../rate-limits";
import { allowedReturnTo } from "../return-to";
import { hashToken, safeEqual } from "../secrets";
import type { PublicIdentity } from "../sessions/sessions";
import { reauthenticationUi } from "./flow-ui";

export type FlowKind = "login" | "registration";
export type FlowType = "browser" | "api";

export type NewFlow = {
  /** The `return_to` query parameter of the init request; validated here. */
  returnTo: string | null;
  /** Browser flows are bound to the browser's CSRF token. */
  csrfToken?: string;
  /** A re-authentication login flow (`refresh=true`) for this signed-in identity. */
  refreshOf?: PublicIdentity;
  /** Who asked for it: new flows are counted per address (RATE_LIMIT_FLOWS). */
  clientAddress: string | null;
};

export async function createFlow(kind: FlowKind, type: FlowType, init: NewFlow, now = new Date()) {
  const returnTo = init.returnTo ? allowedReturnTo(init.returnTo, config().defaultBrowserReturnUrl).href : null;
  await countNewFlow(init.clientAddress, now);
  // Kratos's request_url, kept to what the flow was made of: whatever else a query carried is not
  // stored (a flow row is written for anyone who asks, so it stays small).
  const requestUrl = publicUrl(`/self-service/${kind}/${type}`);
  if (init.refreshOf) requestUrl.searchParams.set("refresh", "true");
  if (returnTo) requestUrl.searchParams.set("return_to", returnTo);
  return db().selfServiceFlow.create({
    data: {
      id: crypto.randomUUID(),
      kind,
      type,
      csrfTokenHash: init.csrfToken ? hashToken(init.csrfToken) : null,
      returnTo,
      refresh: init.refreshOf !== undefined,
      ui: init.refreshOf ? JSON.stringify(reauthenticationUi(init.refreshOf.email)) : null,
      requestUrl: requestUrl.href,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + config().flowLifespanMs),
    },
  });
}

/** The flow of this kind with this id, expired or not; 404 self_service_flow_not_found otherwise. */
export async function findFlow(kind: FlowKind, id: string | null): Promise<SelfServiceFlow> {
  const flow = id && isUuid(id) ? await db().selfServiceFlow.findUnique({ where: { id: id.toLowerCase() } }) : null;
  if (!flow || flow.kind !== kind) throw flowNotFound(kind);
  return flow;
}

export function assertNotExpired(flow: SelfServiceFlow, now = new Date()): void {
  if (flow.expiresAt > now) return;
  const minutes = ((now.getTime() - flow.expiresAt.getTime()) / 60_000).toFixed(2);
  throw flowExpired(`The self-service flow expired ${minutes} minutes ago, initialize a new one.`);
}

/** A flow that exists and has not expired: what reading or submitting one starts with. */
export async function findUsableFlow(kind: FlowKind, id: string | null): Promise<SelfServiceFlow> {
  const flow = await findFlow(kind, id);
  assertNotExpired(flow);
  return flow;
}

/**
 * The browser's CSRF token that the flow was issued for, among those its cookies hold, else
 * undefined. A browser flow is readable only by the browser holding that token: a cross-site page
 * can make the browser send the cookie, but cannot read it to put it in a form.
 */
export function csrfTokenOfFlow(flow: SelfServiceFlow, cookieTokens: readonly string[]): string | undefined {
  const hash = flow.csrfTokenHash;
  return hash ? cookieTokens.find((token) => safeEqual(hashToken(token), hash)) : undefined;
}

/** Throws security_csrf_violation unless the submitted token, the browser's cookie and the flow agree. */
export function verifyCsrf(flow: SelfServiceFlow, submitted: unknown, cookieTokens: readonly string[]): void {
  const token = csrfTokenOfFlow(flow, cookieTokens);
  if (typeof submitted !== "string" || token === undefined || !safeEqual(submitted, token)) throw csrfViolation();
}

/**
 * The UI that renders a browser flow, with `?flow=<id>` added to whatever query it has (Kratos's
 * flow.AppendTo): LOGIN_UI_URL or REGISTRATION_UI_URL, by default this app's /login and /registration.
 */
export function flowPageUrl(kind: FlowKind, id: string): URL {
  const { loginUiUrl, registrationUiUrl } = config();
  const url = new URL(kind === "login" ? loginUiUrl : registrationUiUrl);
  url.searchParams.set("flow", id);
  return url;
}

/** Where a browser goes after the flow succeeded. */
export function returnUrlAfter(flow: SelfServiceFlow): URL {
  return new URL(flow.returnTo ?? config().defaultBrowserReturnUrl.href);
}
