// Two instances on one fresh PostgreSQL database behind nginx (scripts/cluster.mjs, the recipe
// `npm run cluster` runs), seen as one app: its requests go through nginx, its `db` reads the rows.
// The session fixtures (tests/support/sessions.ts) run in the test's process, so the database and
// the secrets are stubbed into its environment too.

import { vi } from "vitest";
import { startCluster } from "../../scripts/cluster.mjs";
import { freePort, TEST_COOKIE_SECRET, type App } from "./app";
import { freshDatabase } from "./database";

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

export type ClusterApp = App & {
  cluster: Cluster;
  /** Instance `i` as an app of its own, asked directly rather than through nginx. */
  instance: (i: number) => App;
};

const appAt = (url: string, base: Omit<App, "url" | "fetch">): App => ({
  ...base,
  url,
  fetch: (input, init) => fetch(new URL(input, url), { ...init, redirect: "manual" }),
});

export async function startClusterApp(env: Record<string, string> = {}): Promise<ClusterApp> {
  const database = await freshDatabase();
  const [port, ...instancePorts] = await Promise.all([freePort(), freePort(), freePort()]);
  const serverEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    COOKIE_SECRET: TEST_COOKIE_SECRET,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    CLEANUP_INTERVAL: "0",
    ...env,
  };
  const cluster = await startCluster({ instances: 2, port, instancePorts, env: serverEnv });
  for (const name of ["DATABASE_URL", "COOKIE_SECRET", "PUBLIC_BASE_URL"] as const) vi.stubEnv(name, serverEnv[name]);
  const { createPrismaClient } = await import("@/lib/server/database/client");
  const db = createPrismaClient(database.url);
  const base = {
    db,
    database,
    stop: async () => {
      await db.$disconnect();
      await cluster.stop();
      await database.drop();
    },
  };
  return { ...appAt(cluster.url, base), cluster, instance: (i) => appAt(cluster.servers[i]!.url, base) };
}
