import { db } from "@/lib/server/database/client";

/** GET /health/ready — the process can reach its database (Kratos's readiness probe). */
export async function GET(): Promise<Response> {
  try {
    await db().$queryRaw`SELECT 1`;
    return Response.json({ status: "ok" });
  } catch {
    return Response.json({ errors: { database: "The database is not reachable." } }, { status: 503 });
  }
}
