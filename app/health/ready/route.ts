import { databaseAnswers } from "@/lib/server/database/client";

/** GET /health/ready — the process can reach its database (Kratos's readiness probe), answered within a second. */
export async function GET(): Promise<Response> {
  if (await databaseAnswers(1_000)) return Response.json({ status: "ok" });
  return Response.json({ errors: { database: "The database is not reachable." } }, { status: 503 });
}
