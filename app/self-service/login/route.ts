import { submitFlowForm } from "../flow-routes";

export const POST = (request: Request) => submitFlowForm(request, "login");
