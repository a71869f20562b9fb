import { handler } from "@/lib/http/handler";
import { readFlow } from "../../flow-routes";

export const GET = handler((request) => readFlow(request, "registration"));
