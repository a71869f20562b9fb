import { badRequest, notFound } from "@/app/_server/errors";
import { handler, json } from "@/app/_server/responses";
import { findError } from "@/app/_server/self-service-errors";

/** GET /self-service/errors?id= — a stored self-service error, for the error page or any client. */
export const GET = handler(async (request) => {
  const id = new URL(request.url).searchParams.get("id");
  if (!id) throw badRequest("Please include the error id in the URL query (?id=…).");
  const error = await findError(id);
  if (!error) throw notFound(`No error with the id ${JSON.stringify(id)} was found.`);
  return json(error);
});
