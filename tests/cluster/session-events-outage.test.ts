// The live streams' PostgreSQL LISTEN connection (lib/server/database/revocation-feed.ts) when it
// is lost: after PostgreSQL restarts the instance listens again, and a revocation committed while it
// was not listening (its NOTIFY heard by nobody) still reaches the stream, by the resync that
// follows every reconnect. Revocations here are committed by this process, as another instance or
// an operator's tool would: only the feed can tell the server about them.

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, dropDatabase, startPostgres } from "../../scripts/postgres-sandbox.mjs";
import { prisma } from "../../scripts/serve.mjs";
import { startServerApp, type ServerApp } from "../support/app";
import { openedEventStream, type EventStream } from "../support/event-stream";
import { signedIn, testIdentity, type SignedIn } from "../support/sessions";

// A server of its own: stopping the one the other test files share would fail them.
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let app: ServerApp;

beforeAll(async () => {
  postgres = await startPostgres();
  const url = await createDatabase(postgres.url, "events_outage");
  prisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
  const database = {
    kind: "postgres" as const,
    url,
    fingerprint: async () => "",
    drop: () => dropDatabase(postgres.url, "events_outage"),
  };
  app = await startServerApp({}, { database });
});

afterAll(async () => {
  await app?.stop();
  await postgres?.stop();
});

/** Revokes `session` in a transaction of this process: the server hears of it only through its LISTEN. */
async function revokeElsewhere(session: SignedIn, by: SignedIn) {
  const { revokeSessionsInTransaction } = await import("@/lib/server/sessions/revocation");
  const { db } = await import("@/lib/server/database/client");
  await db().$transaction((tx) =>
    revokeSessionsInTransaction(
      tx,
      { sessionId: session.id },
      { reason: "revoked_by_user", initiatedBySessionId: by.id },
    ),
  );
}

async function expectRevoked(stream: EventStream, session: SignedIn) {
  expect(await stream.nextEvent(15_000)).toMatchObject({
    event: "session_revoked",
    data: { session_id: session.id, reason: "revoked_by_user", by: { user_agent: "tests" } },
  });
  expect(await stream.closed()).toBe(true);
}

/** The app's LISTEN connection, as PostgreSQL sees it (undefined while there is none). */
async function listener(client: pg.Client): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN session_revoked' AND datname = 'events_outage'",
  );
  return rows[0]?.pid;
}

async function waitForListener(client: pg.Client): Promise<number> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const pid = await listener(client);
    if (pid) return pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the app did not LISTEN again");
}

describe("the LISTEN connection is lost", () => {
  it("PostgreSQL restarts → the server listens again; a revocation afterwards reaches the open stream", async () => {
    const identity = await testIdentity();
    const [phone, laptop] = [await signedIn(identity), await signedIn(identity)];
    const stream = await openedEventStream(app, { cookie: phone!.cookie });

    await postgres.pause();
    await postgres.resume();
    const client = new pg.Client({ connectionString: app.database.url });
    await client.connect();
    try {
      await waitForListener(client);
    } finally {
      await client.end();
    }
    await revokeElsewhere(phone!, laptop!);
    await expectRevoked(stream, phone!);
    expect(app.logs()).toContain("session events: listening on PostgreSQL again");
  });

  it("a revocation committed while the server was not listening → the resync after reconnecting reports it", async () => {
    const identity = await testIdentity();
    const [phone, laptop] = [await signedIn(identity), await signedIn(identity)];
    const stream = await openedEventStream(app, { cookie: phone!.cookie });
    const client = new pg.Client({ connectionString: app.database.url });
    await client.connect();
    try {
      const pid = await waitForListener(client);
      // The server notices at once but reconnects only after a pause (250 ms at first): the
      // revocation commits in between, and its NOTIFY reaches no listener of the server.
      await client.query("SELECT pg_terminate_backend($1)", [pid]);
      await revokeElsewhere(phone!, laptop!);
      // It did reconnect: a new connection listens.
      expect(await waitForListener(client)).not.toBe(pid);
    } finally {
      await client.end();
    }
    await expectRevoked(stream, phone!);
  });
});
