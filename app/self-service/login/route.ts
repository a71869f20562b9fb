import { submitFlowHandler } from "../flow-handlers";

export const POST = submitFlowHandler("login");
