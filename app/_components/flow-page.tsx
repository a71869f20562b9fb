import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { publicUrl } from "@/lib/server/config";
import { KratosError } from "@/lib/server/errors";
import { flowJson } from "@/lib/server/flows/flow-ui";
import { csrfTokenOfFlow, findUsableFlow, type FlowKind } from "@/lib/server/flows/flows";
import { csrfCookieTokens } from "@/lib/http/csrf-cookie";
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
  // Only the browser the flow was issued to may see it (what it typed, its messages): that browser
  // holds the flow's CSRF token. Anyone else, following a link to it, gets a flow of their own.
  const csrfToken = csrfTokenOfFlow(flow, csrfCookieTokens(await headers()));
  if (flow.type !== "browser" || !csrfToken) restart();
  return <FlowForm flow={flowJson(flow, csrfToken)} />;
}
