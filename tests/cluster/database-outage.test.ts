// The readiness probe while PostgreSQL is gone and after it is back: 503 within a second (a load
// balancer stops sending requests), then 200 again without restarting the app.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, dropDatabase, startPostgres } from "../../scripts/postgres-sandbox.mjs";
import { prisma } from "../../scripts/serve.mjs";
import { startServerApp, type ServerApp } from "../support/app";

// A server of its own: stopping the one the other test files share would fail them.
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let app: ServerApp;

beforeAll(async () => {
  postgres = await startPostgres();
  const url = await createDatabase(postgres.url, "outage");
  prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
  const database = {
    kind: "postgres" as const,
    url,
    fingerprint: async () => "",
    drop: () => dropDatabase(postgres.url, "outage"),
  };
  app = await startServerApp({}, { database });
});

afterAll(async () => {
  await app?.stop();
  await postgres?.stop();
});

const ready = () => app.fetch("/health/ready", { signal: AbortSignal.timeout(3_000) });

describe("GET /health/ready", () => {
  it("503 while the database is down, 200 again when it is back, with no restart of the app", async () => {
    await expect(await ready()).toHaveStatus(200);

    await postgres.pause();
    const down = await ready();
    await expect(down).toHaveStatus(503);
    expect(await down.json()).toEqual({ errors: { database: "The database is not reachable." } });
    // The app itself stays alive, and says so.
    await expect(await app.fetch("/health/alive")).toHaveStatus(200);

    await postgres.resume();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await ready()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect(app.logs()).not.toMatch(/Listening on[\s\S]*Listening on/);
  });
});
