import { getFlow } from "../../flow-handlers";

export const GET = getFlow("registration");
