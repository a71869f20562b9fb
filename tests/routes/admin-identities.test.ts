// GET and PATCH /admin/identities/{id} through the SDK's IdentityApi (getIdentity, patchIdentity).
// A JSON Patch of /state: "inactive" ends every session of the identity that still counts in the
// same transaction as the state change (one session.revoked event each, reason identity_deactivated)
// and stops it from signing in; "active" lets it sign in again. Any other patch is refused whole.

import type { IdentityApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { adminFetch, ADMIN_TOKEN, DEACTIVATE } from "../support/admin";
import { NO_CACHE, registerNative, signInNative, uniqueEmail, whoamiStatus } from "../support/client";
import { nativeLogout } from "../support/revocations";
import { identityApi, statusOf } from "../support/sdk";
import { signedIn, signedInSessions, testIdentity, type SignedIn } from "../support/sessions";
import { newWebhookSecret } from "../support/webhook-receiver";

const RECEIVER = "http://127.0.0.1:9/events";

let app: App;
let api: IdentityApi;
beforeAll(async () => {
  app = await startInProcessApp({
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    WEBHOOK_URLS: RECEIVER,
    WEBHOOK_SECRET: newWebhookSecret(),
  });
  api = identityApi(app, { accessToken: ADMIN_TOKEN });
});
afterAll(() => app.stop());

const whoami = (session: SignedIn) => whoamiStatus(app, { "X-Session-Token": session.token });

async function eventsAbout(sessionId: string) {
  const rows = await app.db.webhookDelivery.findMany();
  return rows
    .map((row) => JSON.parse(row.payload) as { type: string; data: Record<string, unknown> })
    .filter((event) => event.data.session_id === sessionId);
}

const patch = (id: string, body: string, contentType = "application/json") =>
  adminFetch(app, `/admin/identities/${id}`, { method: "PATCH", body, headers: { "content-type": contentType } });

async function expectError(response: Response, code: number) {
  await expect(response).toHaveStatus(code);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const body = (await response.json()) as { error: { code: number; reason?: string } };
  expect(body.error.code).toBe(code);
  return body.error;
}

describe("GET /admin/identities/{id} (getIdentity)", () => {
  it("→ 200 the identity with its credentials' identifiers, never a password hash", async () => {
    const email = uniqueEmail("admin-get");
    const { identity } = await registerNative(app, email);
    const response = await adminFetch(app, `/admin/identities/${identity.id}`);
    await expect(response).toHaveStatus(200);
    expect(response.headers.get("cache-control")).toBe(NO_CACHE);
    const body = (await response.json()) as Record<string, unknown>;
    const row = await app.db.identity.findUniqueOrThrow({ where: { id: identity.id } });
    expect(body).toEqual({
      id: identity.id,
      schema_id: "default",
      schema_url: `${app.url}/schemas/ZGVmYXVsdA`,
      state: "active",
      traits: { email },
      metadata_public: null,
      metadata_admin: null,
      credentials: {
        password: {
          type: "password",
          identifiers: [email],
          version: 0,
          created_at: row.createdAt.toISOString(),
          updated_at: row.updatedAt.toISOString(),
        },
      },
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    });
    expect(JSON.stringify(body)).not.toContain(row.passwordHash);
    expect((await api.getIdentity({ id: identity.id })).traits).toEqual({ email });
  });

  it("unknown id → 404; malformed id → 400", async () => {
    expect(await statusOf(api.getIdentity({ id: crypto.randomUUID() }))).toBe(404);
    expect(await statusOf(api.getIdentity({ id: "someone@example.com" }))).toBe(400);
  });
});

describe("PATCH /admin/identities/{id} (patchIdentity) of /state", () => {
  it('"inactive" → 200 the identity, inactive; every device refused at once; one event per active session', async () => {
    const identity = await testIdentity();
    const devices = await signedInSessions(3, identity);
    const [alreadyEnded] = await signedInSessions(1, identity);
    await expect(await nativeLogout(app, alreadyEnded!.token)).toHaveStatus(204);
    const stranger = await signedIn();

    const updated = await api.patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: "replace", path: "/state", value: "inactive" }],
    });
    expect(updated).toMatchObject({ id: identity.id, state: "inactive" });

    for (const device of devices) {
      expect(await whoami(device)).toBe(401);
      expect(await whoamiStatus(app, { cookie: device.cookie })).toBe(401);
      const row = await app.db.session.findUniqueOrThrow({ where: { id: device.id } });
      expect(row).toMatchObject({ active: false, revocationReason: "identity_deactivated", revokedBySessionId: null });
      expect(await eventsAbout(device.id)).toEqual([
        {
          type: "session.revoked",
          timestamp: row.revokedAt!.toISOString(),
          data: {
            session_id: device.id,
            identity_id: identity.id,
            reason: "identity_deactivated",
            revoked_at: row.revokedAt!.toISOString(),
            initiated_by_session_id: null,
          },
        },
      ]);
    }
    // The one that had ended keeps its own record and its one event.
    expect(await app.db.session.findUniqueOrThrow({ where: { id: alreadyEnded!.id } })).toMatchObject({
      revocationReason: "native_logout",
    });
    expect(await eventsAbout(alreadyEnded!.id)).toHaveLength(1);
    expect(await whoami(stranger)).toBe(200);
    expect(await app.db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({
      state: "inactive",
    });
    // Listed as ended, the identity inactive.
    const listed = await api.listIdentitySessions({ id: identity.id });
    expect(listed.map((s) => s.active)).toEqual([false, false, false, false]);
    expect(listed[0]!.identity?.state).toBe("inactive");
  });

  it('an inactive identity cannot sign in; "active" again → it can, its old sessions stay ended', async () => {
    const email = uniqueEmail("admin-state");
    const { identity, session_token } = await registerNative(app, email);
    await expect(await patch(identity.id, DEACTIVATE)).toHaveStatus(200);
    await expect(signInNative(app, email)).rejects.toThrow(/native sign-in: 400/);

    const reactivated = await api.patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: "replace", path: "/state", value: "active" }],
    });
    expect(reactivated.state).toBe("active");
    expect(await whoamiStatus(app, { "X-Session-Token": session_token })).toBe(401);
    const { session_token: fresh } = await signInNative(app, email);
    expect(await whoamiStatus(app, { "X-Session-Token": fresh })).toBe(200);
  });

  it('"inactive" twice → 200 both times, no second event', async () => {
    const identity = await testIdentity();
    await signedInSessions(2, identity);
    await expect(await patch(identity.id, DEACTIVATE)).toHaveStatus(200);
    const events = await app.db.webhookDelivery.count();
    const response = await patch(identity.id, DEACTIVATE);
    await expect(response).toHaveStatus(200);
    expect(await response.json()).toMatchObject({ state: "inactive" });
    expect(await app.db.webhookDelivery.count()).toBe(events);
  });

  it("op add, the JSON Patch media type, and an empty patch are accepted", async () => {
    const identity = await testIdentity();
    const add = JSON.stringify([{ op: "add", path: "/state", value: "inactive" }]);
    await expect(await patch(identity.id, add, "application/json-patch+json")).toHaveStatus(200);
    const empty = await patch(identity.id, "[]");
    await expect(empty).toHaveStatus(200);
    expect(await empty.json()).toMatchObject({ state: "inactive" });
  });

  it.each([
    ['[{"op":"replace","path":"/traits/email","value":"x@example.com"}]', 'Got "replace" on "/traits/email"'],
    ['[{"op":"remove","path":"/state"}]', 'Got "remove" on "/state"'],
    ['[{"op":"test","path":"/state","value":"active"}]', 'Got "test" on "/state"'],
    ['[{"op":"replace","path":"/state","value":"banned"}]', 'The supplied state ("banned") was not valid.'],
    ['[{"op":"replace","path":"/state","value":false}]', "The supplied state (false) was not valid."],
    ['[{"op":"replace","path":"/state"}]', "The supplied state (null) was not valid."],
    [
      '[{"op":"replace","path":"/state","value":"inactive"},{"op":"replace","path":"/id","value":"x"}]',
      'Got "replace" on "/id"',
    ],
    ['[{"op":"jump","path":"/state"}]', "Each JSON Patch operation needs an op"],
    ['[{"op":"replace"}]', "Each JSON Patch operation needs a path"],
    ['{"state":"inactive"}', "The request body must be a JSON Patch"],
    ["not json", "The request body is not valid JSON."],
    ["", "The request body is empty."],
  ])("%s → 400, nothing changed", async (body, reason) => {
    const identity = await testIdentity();
    const [session] = await signedInSessions(1, identity);
    // Read once through the app first: SQLite's first read after another connection's write
    // updates its shared-memory index, which the fingerprint would count as a change.
    expect(await whoami(session!)).toBe(200);
    const before = await app.database.fingerprint();
    const error = await expectError(await patch(identity.id, body), 400);
    expect(error.reason).toContain(reason);
    expect(await app.database.fingerprint()).toBe(before);
    expect(await whoami(session!)).toBe(200);
  });

  it("a Content-Type other than JSON → 400; a body over the limit → 413; nothing changed", async () => {
    const identity = await testIdentity();
    const before = await app.database.fingerprint();
    await expectError(await patch(identity.id, DEACTIVATE, "text/plain"), 400);
    const huge = JSON.stringify([{ op: "replace", path: "/state", value: "x".repeat(20_000) }]);
    await expectError(await patch(identity.id, huge), 413);
    expect(await app.database.fingerprint()).toBe(before);
  });

  it("unknown id → 404; malformed id → 400", async () => {
    await expectError(await patch(crypto.randomUUID(), DEACTIVATE), 404);
    await expectError(await patch("not-a-uuid", DEACTIVATE), 400);
  });
});

describe("deactivation and its revocations commit together", () => {
  it("the outbox cannot be written → 500; the identity still active, its sessions still count", async () => {
    const identity = await testIdentity();
    const [session] = await signedInSessions(1, identity);
    // Portable DDL (SQLite and PostgreSQL): the event insert fails inside the transaction.
    await app.db.$executeRawUnsafe('ALTER TABLE "webhook_deliveries" RENAME TO "webhook_deliveries_away"');
    try {
      await expect(await patch(identity.id, DEACTIVATE)).toHaveStatus(500);
    } finally {
      await app.db.$executeRawUnsafe('ALTER TABLE "webhook_deliveries_away" RENAME TO "webhook_deliveries"');
    }
    expect(await app.db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({ state: "active" });
    expect(await whoami(session!)).toBe(200);
    // Once it can be written, the same patch goes through with its event.
    await expect(await patch(identity.id, DEACTIVATE)).toHaveStatus(200);
    expect(await whoami(session!)).toBe(401);
    expect(await eventsAbout(session!.id)).toHaveLength(1);
  });
});
