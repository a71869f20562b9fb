import { handler } from "@/lib/http/handler";
import { initBrowserFlow } from "../../flow-routes";

export const GET = handler((request) => initBrowserFlow(request, "registration"), { browserErrors: "redirect" });
