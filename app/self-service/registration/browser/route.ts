import { initBrowserFlow } from "../../flow-handlers";

export const GET = initBrowserFlow("registration");
