// The HTTP side of the flows this app does not offer (settings, recovery, verification): every
// endpoint of theirs answers as Kratos does for a disabled flow, through its error handler: the
// envelope (400 self_service_flow_disabled) for JSON requests, the error UI for browsers.

import { notFound } from "@/lib/server/errors";
import { unofferedFlowError } from "@/lib/server/unoffered-flows";
import { errorForRequest } from "@/lib/http/handler";

export type FlowParams = { params: Promise<{ flow: string }> };

/** GET /self-service/{flow}/{browser,api,flows}, GET|POST /self-service/{flow} for an unoffered flow. */
export async function answerUnofferedFlow(request: Request, { params }: FlowParams): Promise<Response> {
  const { flow: name } = await params;
  const error = unofferedFlowError(name);
  if (!error) throw notFound(`There is no self-service flow called ${JSON.stringify(name)}.`);
  // The same error for everyone: stored once, however many browsers ask (self-service-errors.ts).
  return errorForRequest(request, error);
}
