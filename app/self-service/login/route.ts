import { handler } from "@/lib/http/responses";
import { submitFlowForm } from "../flow-routes";

export const POST = handler((request) => submitFlowForm(request, "login"));
