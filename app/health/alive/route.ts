/** GET /health/alive — the process answers; touches nothing else (Kratos's liveness probe). */
export function GET(): Response {
  return Response.json({ status: "ok" });
}
