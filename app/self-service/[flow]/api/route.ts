import { handler } from "@/lib/http/handler";
import { answerUnofferedFlow, type FlowParams } from "../../unoffered-flow-routes";

export const GET = handler<FlowParams>(answerUnofferedFlow);
