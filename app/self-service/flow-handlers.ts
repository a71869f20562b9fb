// The HTTP side of login and registration flows, shared by their route handlers: each function
// parses the request, calls the domain (app/_server/flows.ts) and maps the result to HTTP as Kratos
// does — JSON for API flows and JSON requests, redirects and pages for browsers.

import { config, publicUrl } from "@/app/_server/config";
import { csrfTokenFor, csrfTokenOfFlow } from "@/app/_server/csrf";
import { csrfViolation, HttpError } from "@/app/_server/errors";
import {
  assertNotExpired,
  assertSignedOut,
  createFlow,
  findFlow,
  flowJson,
  flowPageUrl,
  rememberFailedSubmission,
  returnUrlAfter,
  submitFlow,
  successJson,
  type FlowKind,
} from "@/app/_server/flows";
import { isJsonRequest } from "@/app/_server/is-json-request";
import { errorForRequest, errorJson, handler, json, seeOther } from "@/app/_server/responses";
import { allowedReturnTo } from "@/app/_server/return-to";
import { sessionCookie } from "@/app/_server/session-cookie";

const isError = (error: unknown, id: string) => error instanceof HttpError && error.id === id;

/** GET /self-service/{kind}/browser */
export function initBrowserFlow(kind: FlowKind) {
  return handler(
    async (request) => {
      try {
        await assertSignedOut(request.headers);
      } catch (error) {
        // A signed-in browser is sent where it would have gone after signing in.
        if (!isJsonRequest(request.headers) && isError(error, "session_already_available")) {
          const returnTo = new URL(request.url).searchParams.get("return_to");
          return seeOther(allowedReturnTo(returnTo, config().defaultBrowserReturnUrl));
        }
        throw error;
      }
      const { flow, csrfToken, cookies } = await createFlow(kind, "browser", request);
      if (isJsonRequest(request.headers)) return json(flowJson(flow, csrfToken), 200, { cookies });
      return seeOther(flowPageUrl(kind, flow.id), { cookies });
    },
    { browserErrors: "redirect" },
  );
}

/** GET /self-service/{kind}/api */
export function initApiFlow(kind: FlowKind) {
  return handler(async (request) => {
    await assertSignedOut(request.headers);
    const { flow } = await createFlow(kind, "api", request);
    return json(flowJson(flow, undefined), 200);
  });
}

/** GET /self-service/{kind}/flows?id= */
export function getFlow(kind: FlowKind) {
  return handler(async (request) => {
    const flow = await findFlow(kind, new URL(request.url).searchParams.get("id"));
    assertNotExpired(flow);
    if (flow.type === "api") return json(flowJson(flow, undefined));
    // A browser flow is readable only by the browser it was issued to (it holds the CSRF token).
    const csrfToken = csrfTokenOfFlow(request.headers, flow.csrfTokenHash);
    if (!csrfToken) throw csrfViolation();
    return json(flowJson(flow, csrfToken));
  });
}

/** POST /self-service/{kind}?flow= */
export function submitFlowHandler(kind: FlowKind) {
  return async (request: Request): Promise<Response> => {
    const jsonRequest = isJsonRequest(request.headers);
    let apiFlow = false;
    try {
      const flow = await findFlow(kind, new URL(request.url).searchParams.get("flow"));
      apiFlow = flow.type === "api";
      const result = await submitFlow(kind, flow, request);
      const csrfToken = apiFlow ? undefined : csrfTokenFor(request.headers).token;

      if (result.outcome === "invalid") {
        if (apiFlow || jsonRequest) return json(flowJson(result.flow, csrfToken, result.ui), 400);
        await rememberFailedSubmission(result.flow, result.ui);
        return seeOther(flowPageUrl(kind, flow.id));
      }
      if (apiFlow) return json(successJson(kind, result), 200);
      const cookies = [await sessionCookie(result.token, result.session.expiresAt)];
      if (jsonRequest) return json(successJson(kind, result), 200, { cookies });
      return seeOther(returnUrlAfter(result.flow), { cookies });
    } catch (error) {
      if (apiFlow) return errorJson(error);
      // A browser holding an expired or unknown form starts over with a fresh one.
      if (!jsonRequest && (isError(error, "self_service_flow_expired") || isError(error, "self_service_flow_not_found"))) {
        return seeOther(publicUrl(`/self-service/${kind}/browser`));
      }
      return errorForRequest(request, error);
    }
  };
}
