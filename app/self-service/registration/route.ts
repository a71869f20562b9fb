import { handler } from "@/lib/http/handler";
import { submitFlowForm } from "../flow-routes";

export const POST = handler((request) => submitFlowForm(request, "registration"));
