import { handler } from "@/lib/http/handler";
import { answerUnofferedFlow, type FlowParams } from "../unoffered-flow-routes";

// /self-service/{settings,recovery,verification}: flows this app does not offer. Login,
// registration, logout and errors have folders of their own, which take precedence.
export const GET = handler<FlowParams>(answerUnofferedFlow);
export const POST = GET;
