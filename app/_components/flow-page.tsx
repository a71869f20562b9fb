import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { publicUrl } from "@/lib/server/config";
import { KratosError } from "@/lib/server/errors";
import { flowJson } from "@/lib/server/flows/flow-ui";
import { findUsableFlow, type FlowKind } from "@/lib/server/flows/flows";
import { csrfCookieToken } from "@/lib/http/csrf-cookie";
import { FlowForm } from "./flow-form";

/**
 * The body of /login and /registration. Without a usable flow the browser is sent to the flow's
 * init endpoint, which creates one (and the CSRF cookie a page cannot set) and comes back here.
 */
export async function FlowPage({ kind, flowId }: { kind: FlowKind; flowId: string | undefined }) {
  const restart = () => redirect(publicUrl(`/self-service/${kind}/browser`).href);
  let flow;
  try {
    flow = await findUsableFlow(kind, flowId ?? null);
  } catch (error) {
    if (error instanceof KratosError) restart();
    throw error;
  }
  if (flow.type !== "browser") restart();
  return <FlowForm flow={flowJson(flow, csrfCookieToken(await headers()))} />;
}
