// For a test file whose production servers deliver webhooks to a receiver here: one receiver and one
// database for the file, outliving the servers started on it (restarts, several instances); the
// session fixtures of this process write to the database of the first server they met. After each
// test its servers are stopped, what it left in the outbox (a hanging receiver's event) is cleared,
// and the receiver must have rejected nothing (every signature verified).

import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createPrismaClient, type PrismaClient } from "@/lib/server/database/client";
import { startServerApp, type ServerApp } from "./app";
import { freshDatabase, type TestDatabase } from "./database";
import { WebhookReceiver } from "./webhook-receiver";

export type WebhookServers = {
  receiver: WebhookReceiver;
  /** The file's database (once its beforeAll has run). */
  database: () => TestDatabase;
  /** A server on the file's database delivering to the receiver; stopped after the test. */
  serverFor: (env?: Record<string, string>) => Promise<ServerApp>;
};

/** Registers the file's hooks; call it at the top of the file. */
export function webhookServers(): WebhookServers {
  const receiver = new WebhookReceiver();
  let database: TestDatabase | undefined;
  let outbox: PrismaClient | undefined;
  const servers: ServerApp[] = [];

  beforeAll(async () => {
    await receiver.up();
    database = await freshDatabase();
    // Its own client (the pool size given, so this process's configuration is not read yet).
    outbox = createPrismaClient(database.url, 2);
  });
  afterEach(async () => {
    for (const server of servers.splice(0).reverse()) await server.stop();
    await outbox!.webhookDelivery.deleteMany();
    expect(receiver.rejected).toEqual([]);
    receiver.reset();
  });
  afterAll(async () => {
    await receiver.down();
    await outbox?.$disconnect();
    await database?.drop();
  });

  return {
    receiver,
    database: () => database!,
    async serverFor(env = {}) {
      const app = await startServerApp(
        { WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: receiver.secret, ...env },
        { database: database! },
      );
      servers.push(app);
      return app;
    },
  };
}
