// Runs once when the server starts: bad configuration stops start-up here, with a message naming
// the variable, instead of surfacing on the first request.

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { config } = await import("./app/_server/config");
  config();
}
