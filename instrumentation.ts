// Runs once when the server starts: bad configuration stops start-up here, with a message naming
// the variable, instead of surfacing on the first request. Then starts housekeeping on its timer
// (CLEANUP_INTERVAL, 0 = off; `npm run db:cleanup` does the same from cron instead).

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { config } = await import("./app/_server/config");
  config();
  const { startHousekeepingTimer } = await import("./app/_server/housekeeping");
  startHousekeepingTimer();
}
