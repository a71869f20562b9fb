import { badRequest, notFound } from "@/lib/server/errors";
import { findError } from "@/lib/server/self-service-errors";
import { handler } from "@/lib/http/handler";
import { json } from "@/lib/http/responses";

/** GET /self-service/errors?id= — a stored self-service error, for the error page or any client. */
export const GET = handler(async (request) => {
  const id = new URL(request.url).searchParams.get("id");
  if (!id) throw badRequest("Please include the error id in the URL query (?id=…).");
  const error = await findError(id);
  if (!error) throw notFound(`No error with the id ${JSON.stringify(id)} was found.`);
  return json(error);
});
