import { handler } from "@/lib/http/responses";
import { readFlow } from "../../flow-routes";

export const GET = handler((request) => readFlow(request, "login"));
