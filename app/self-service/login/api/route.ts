import { initApiFlow } from "../../flow-handlers";

export const GET = initApiFlow("login");
