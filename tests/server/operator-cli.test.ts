// The operators' commands against a running production server: `npm run admin` signs users out
// and (de)activates them, `npm run webhooks` shows the outbox's backlog and re-queues it. Both are
// thin shells over domain code that the admin API and webhook tests run on both databases, so this
// file runs once, on SQLite (vitest.config.ts): each command starts npm and tsx, seconds apiece.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { whoamiStatus } from "../support/client";
import { nativeLogout } from "../support/revocations";
import { signedIn, signedInSessions, testIdentity } from "../support/sessions";
import { webhookServers } from "../support/webhook-servers";

// One database for the file; each test starts the server it needs on it.
const { receiver, database, serverFor } = webhookServers();

const run = promisify(execFile);

/** `npm run <script> -- ...args` with the server's DATABASE_URL and webhook settings: exit code and output. */
async function npmRun(script: "admin" | "webhooks", ...args: string[]) {
  try {
    const { stdout } = await run("npm", ["run", "--silent", script, "--", ...args], {
      env: {
        ...process.env,
        DATABASE_URL: database().url,
        WEBHOOK_URLS: receiver.url,
        WEBHOOK_SECRET: receiver.secret,
      },
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe("npm run admin", () => {
  it(
    "sessions lists them; revoke <session id>, revoke <email> and deactivate <email> end them everywhere and say so",
    { timeout: 120_000 },
    async () => {
      const app = await serverFor();
      const email = `operator-${crypto.randomUUID()}@example.com`;
      const identity = await testIdentity(email);
      const [phone, laptop, tablet] = await signedInSessions(3, identity);

      const [listed, byId] = await Promise.all([
        npmRun("admin", "sessions", email.toUpperCase()),
        npmRun("admin", "sessions", identity.id),
      ]);
      expect(listed.code).toBe(0);
      expect(listed.output).toContain(`${email} (identity ${identity.id}, active)`);
      for (const device of [phone!, laptop!, tablet!]) expect(listed.output).toContain(device.id);
      expect(listed.output).toContain("3 session(s), 3 still active.");
      expect(byId.output).toContain("3 still active.");

      const one = await npmRun("admin", "revoke", phone!.id);
      expect(one).toEqual({
        code: 0,
        output: `Signed out session ${phone!.id} of ${email} (identity ${identity.id}, active).\n`,
      });
      expect(await whoamiStatus(app, { cookie: phone!.cookie })).toBe(401);
      expect(await whoamiStatus(app, { cookie: laptop!.cookie })).toBe(200);
      expect((await npmRun("admin", "revoke", phone!.id)).output).toContain("had ended already: nothing to do.");

      const all = await npmRun("admin", "revoke", email);
      expect(all.code).toBe(0);
      expect(all.output).toContain(`Signed out 2 session(s) of ${email}`);
      expect(await whoamiStatus(app, { cookie: laptop!.cookie })).toBe(401);
      expect(await whoamiStatus(app, { cookie: tablet!.cookie })).toBe(401);

      const [fresh] = await signedInSessions(1, identity);
      const deactivated = await npmRun("admin", "deactivate", email);
      expect(deactivated.code).toBe(0);
      expect(deactivated.output).toContain(
        `Deactivated ${email} (identity ${identity.id}, inactive): it can no longer sign in.`,
      );
      expect(deactivated.output).toContain(`Signed out 1 session(s) everywhere.\n  ${fresh!.id}`);
      expect(await whoamiStatus(app, { cookie: fresh!.cookie })).toBe(401);

      // The running server delivers what the CLI wrote: 1 + 2 revoked_by_admin, 1 identity_deactivated.
      const ids = new Set([phone!.id, laptop!.id, tablet!.id, fresh!.id]);
      const events = () => receiver.deliveredEvents().filter((event) => ids.has(String(event.event.data.session_id)));
      await receiver.waitFor("four events", () => events().length === 4);
      expect(
        events()
          .map(({ event }) => event.data.reason)
          .sort(),
      ).toEqual(["identity_deactivated", "revoked_by_admin", "revoked_by_admin", "revoked_by_admin"]);

      const [nobody, unknownId, bogus] = await Promise.all([
        npmRun("admin", "revoke", "nobody@example.com"),
        npmRun("admin", "revoke", crypto.randomUUID()),
        npmRun("admin", "bogus", "x"),
      ]);
      expect(nobody).toEqual({ code: 1, output: 'No identity has the email address "nobody@example.com".\n' });
      expect(unknownId.code).toBe(1);
      expect(bogus.code).toBe(2);
    },
  );
});

describe("npm run webhooks", () => {
  it(
    "lists pending and failed events with the last error; --replay failed and --replay <id> re-queue them",
    { timeout: 120_000 },
    async () => {
      receiver.behaviour = () => ({ status: 500, body: "down for maintenance" });
      const app = await serverFor({ WEBHOOK_RETRY_SCHEDULE: "100ms" });
      const session = await signedIn();
      await expect(await nativeLogout(app, session.token)).toHaveStatus(204);
      await receiver.waitFor("two attempts", () => receiver.received.length === 2);
      const { id } = receiver.received[0]!;
      const failed = async () =>
        (await app.db.webhookDelivery.findFirst({ where: { eventId: id } }))?.status === "failed";
      for (let i = 0; i < 100 && !(await failed()); i++) await new Promise((resolve) => setTimeout(resolve, 50));

      const [listing, json] = await Promise.all([npmRun("webhooks"), npmRun("webhooks", "--json")]);
      expect(listing.code).toBe(0);
      expect(listing.output).toContain("pending: 0");
      expect(listing.output).toContain("failed: 1");
      expect(listing.output).toContain(`last error: HTTP 500: down for maintenance (${id}, attempt 2`);
      expect(listing.output).toContain(`${id}  ${receiver.url}  2 attempts  HTTP 500: down for maintenance`);
      expect(JSON.parse(json.output)).toMatchObject({ pending: 0, failed: 1 });

      receiver.behaviour = () => ({ status: 204 });
      const replay = await npmRun("webhooks", "--replay", "failed");
      expect(replay).toEqual({ code: 0, output: expect.stringContaining("Re-queued 1 delivery") });
      await receiver.waitFor("the replayed delivery", () => receiver.deliveredCounts().get(id) === 1);

      expect((await npmRun("webhooks", "--replay", id)).code).toBe(0);
      await receiver.waitFor("the delivery replayed by id", () => receiver.deliveredCounts().get(id) === 2);
      expect(receiver.attemptsOf(id)).toHaveLength(4);

      const [unknown, bogus] = await Promise.all([
        npmRun("webhooks", "--replay", `msg_${"0".repeat(32)}`),
        npmRun("webhooks", "--bogus"),
      ]);
      expect(unknown).toEqual({
        code: 1,
        output: expect.stringContaining(`no event msg_${"0".repeat(32)} in the outbox`),
      });
      expect(bogus.code).toBe(2);
    },
  );
});
