// The HTTP side of login and registration flows, shared by their route handlers: each function
// reads the request, calls the flow domain (lib/server/flows/) and answers as Kratos does — JSON for
// API flows and JSON requests, redirects and pages for browsers.

import { config, publicUrl } from "@/lib/server/config";
import { csrfViolation, isKratosError, sessionAlreadyAvailable } from "@/lib/server/errors";
import { flowJson } from "@/lib/server/flows/flow-ui";
import {
  createFlow,
  csrfTokenOfFlow,
  findUsableFlow,
  flowPageUrl,
  returnUrlAfter,
  type FlowKind,
} from "@/lib/server/flows/flows";
import { rememberFailedSubmission, submitFlow, successJson } from "@/lib/server/flows/submission";
import { allowedReturnTo } from "@/lib/server/return-to";
import { clientAddress } from "@/lib/http/client-address";
import { browserSignals, deviceFromHeaders } from "@/lib/http/credentials";
import { csrfCookieTokens, csrfTokenFor } from "@/lib/http/csrf-cookie";
import { getCurrentCredential, getCurrentSession } from "@/lib/http/current-session";
import { isJsonRequest } from "@/lib/http/negotiation";
import { readBody } from "@/lib/http/request-body";
import { errorForRequest } from "@/lib/http/handler";
import { errorJson, json, seeOther } from "@/lib/http/responses";
import { sessionCookie } from "@/lib/http/session-cookie";

/**
 * `refresh=true` on a login flow init (Go's strconv.ParseBool, as Kratos reads it): the signed-in
 * user signs in again, and the flow refreshes that session. Without a session it is an ordinary flow.
 */
function wantsRefresh(kind: FlowKind, query: URLSearchParams): boolean {
  return kind === "login" && ["1", "t", "T", "true", "TRUE", "True"].includes(query.get("refresh") ?? "");
}

/** GET /self-service/{kind}/browser[?refresh=true] */
export async function initBrowserFlow(request: Request, kind: FlowKind): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const session = await getCurrentSession();
  if (session && !wantsRefresh(kind, query)) {
    // Kratos refuses a signed-in JSON client, and sends a signed-in browser where it would have gone after signing in.
    if (isJsonRequest(request.headers)) throw sessionAlreadyAvailable();
    return seeOther(allowedReturnTo(query.get("return_to"), config().defaultBrowserReturnUrl));
  }
  const csrf = csrfTokenFor(request.headers);
  const flow = await createFlow(kind, "browser", {
    returnTo: query.get("return_to"),
    csrfToken: csrf.token,
    refreshOf: session?.identity,
    clientAddress: clientAddress(request.headers) ?? null,
  });
  const cookies = csrf.setCookie ? [csrf.setCookie] : [];
  if (isJsonRequest(request.headers)) return json(flowJson(flow, csrf.token), 200, { cookies });
  return seeOther(flowPageUrl(kind, flow.id), { cookies });
}

/** GET /self-service/{kind}/api[?refresh=true] */
export async function initApiFlow(request: Request, kind: FlowKind): Promise<Response> {
  const url = new URL(request.url);
  const session = await getCurrentSession();
  if (session && !wantsRefresh(kind, url.searchParams)) throw sessionAlreadyAvailable();
  const flow = await createFlow(kind, "api", {
    returnTo: url.searchParams.get("return_to"),
    refreshOf: session?.identity,
    clientAddress: clientAddress(request.headers) ?? null,
  });
  return json(flowJson(flow, undefined));
}

/** GET /self-service/{kind}/flows?id= */
export async function readFlow(request: Request, kind: FlowKind): Promise<Response> {
  const flow = await findUsableFlow(kind, new URL(request.url).searchParams.get("id"));
  if (flow.type === "api") return json(flowJson(flow, undefined));
  // A browser flow is readable only by the browser it was issued to (it holds the CSRF token).
  const csrfToken = csrfTokenOfFlow(flow, csrfCookieTokens(request.headers));
  if (!csrfToken) throw csrfViolation();
  return json(flowJson(flow, csrfToken));
}

/** POST /self-service/{kind}?flow= */
export async function submitFlowForm(request: Request, kind: FlowKind): Promise<Response> {
  const jsonRequest = isJsonRequest(request.headers);
  let apiFlow = false;
  try {
    const flow = await findUsableFlow(kind, new URL(request.url).searchParams.get("flow"));
    apiFlow = flow.type === "api";
    const { fields } = await readBody(request, ["json", "form"]);
    const session = await getCurrentSession();
    const credential = await getCurrentCredential();
    const result = await submitFlow(kind, flow, {
      fields,
      csrfCookies: csrfCookieTokens(request.headers),
      current: session && credential ? { session, token: credential.token } : undefined,
      device: deviceFromHeaders(request.headers),
      browser: browserSignals(request.headers),
    });
    const csrfToken = apiFlow ? undefined : csrfTokenFor(request.headers).token;

    if (result.outcome === "invalid") {
      if (apiFlow || jsonRequest) return json(flowJson(result.flow, csrfToken, result.ui), 400);
      await rememberFailedSubmission(result.flow, result.ui);
      return seeOther(flowPageUrl(kind, flow.id));
    }
    if (apiFlow) return json(successJson(kind, result));
    const cookies = [await sessionCookie(result.token, result.session.expiresAt)];
    if (jsonRequest) return json(successJson(kind, result), 200, { cookies });
    return seeOther(returnUrlAfter(result.flow), { cookies });
  } catch (error) {
    if (apiFlow) return errorJson(error);
    // A browser holding an expired or unknown form starts over with a fresh one.
    const stale =
      isKratosError(error, "self_service_flow_expired") || isKratosError(error, "self_service_flow_not_found");
    if (!jsonRequest && stale) return seeOther(publicUrl(`/self-service/${kind}/browser`));
    return errorForRequest(request, error);
  }
}
