import { handler } from "@/lib/http/responses";
import { answerUnofferedFlow, type FlowParams } from "../../unoffered-flow-routes";

export const GET = handler<FlowParams>(answerUnofferedFlow);
