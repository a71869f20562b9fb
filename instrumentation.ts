// Next.js calls register() once when the server starts. Bad configuration stops start-up there,
// with a message naming the variable, instead of surfacing on the first request.

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { onServerStart } = await import("./lib/server/startup");
  await onServerStart();
}
