import { handler } from "@/lib/http/responses";
import { initApiFlow } from "../../flow-routes";

export const GET = handler((request) => initApiFlow(request, "registration"));
