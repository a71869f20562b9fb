import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { publicUrl } from "@/app/_server/config";
import { CSRF_COOKIE_NAME } from "@/app/_server/csrf";
import { HttpError } from "@/app/_server/errors";
import { assertNotExpired, findFlow, flowJson, type FlowKind } from "@/app/_server/flows";
import { FlowForm } from "./flow-form";

/**
 * The body of /login and /registration. Without a usable flow the browser is sent to the flow's
 * init endpoint, which creates one (and the CSRF cookie a page cannot set) and comes back here.
 */
export async function FlowPage({ kind, flowId }: { kind: FlowKind; flowId: string | undefined }) {
  const restart = () => redirect(publicUrl(`/self-service/${kind}/browser`).href);
  let flow;
  try {
    flow = await findFlow(kind, flowId ?? null);
    assertNotExpired(flow);
  } catch (error) {
    if (error instanceof HttpError) restart();
    throw error;
  }
  if (flow.type !== "browser") restart();
  const csrfToken = (await cookies()).get(CSRF_COOKIE_NAME)?.value;
  return <FlowForm flow={flowJson(flow, csrfToken)} />;
}
