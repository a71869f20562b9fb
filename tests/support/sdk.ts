import { ResponseError } from "@ory/client-fetch";

/** "resolved", or the HTTP status an SDK call was rejected with. */
export async function statusOf(promise: Promise<unknown>): Promise<number | "resolved"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    if (error instanceof ResponseError) return error.response.status;
    throw error;
  }
}
