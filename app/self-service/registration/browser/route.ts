import { handler } from "@/lib/http/responses";
import { initBrowserFlow } from "../../flow-routes";

export const GET = handler((request) => initBrowserFlow(request, "registration"), { browserErrors: "redirect" });
