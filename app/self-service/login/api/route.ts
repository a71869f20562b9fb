import { handler } from "@/lib/http/handler";
import { initApiFlow } from "../../flow-routes";

export const GET = handler((request) => initApiFlow(request, "login"));
