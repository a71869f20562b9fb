// The HTTP side of the flows this app does not offer (settings, recovery, verification): every
// endpoint of theirs answers as Kratos does for a disabled flow, through its error handler: the
// envelope (400 self_service_flow_disabled) for JSON requests, the error UI for browsers.

import { notFound } from "@/lib/server/errors";
import { unofferedFlow } from "@/lib/server/unoffered-flows";
import { isJsonRequest, isPrefetch } from "@/lib/http/negotiation";
import { errorPageUrl, seeOther } from "@/lib/http/responses";

export type FlowParams = { params: Promise<{ flow: string }> };

/** GET /self-service/{flow}/{browser,api,flows}, GET|POST /self-service/{flow} for an unoffered flow. */
export async function answerUnofferedFlow(request: Request, { params }: FlowParams): Promise<Response> {
  const { flow: name } = await params;
  const flow = unofferedFlow(name);
  if (!flow) throw notFound(`There is no self-service flow called ${JSON.stringify(name)}.`);
  if (isJsonRequest(request.headers) || isPrefetch(request.headers)) throw flow.error;
  // Its error is the same for everyone and has a fixed id, so a browser is sent there and nothing is stored.
  return seeOther(errorPageUrl(flow.errorId));
}
