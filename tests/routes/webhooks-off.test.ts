// Without WEBHOOK_URLS, webhooks are off: revocations are recorded on the session row as always,
// nothing enters the outbox, and no delivery worker starts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessApp, type App } from "../support/app";
import { nativeLogout, revokeOthers } from "../support/revocations";
import { signedInSessions } from "../support/sessions";

let app: App;
beforeAll(async () => {
  app = await startInProcessApp({ WEBHOOK_URLS: "" });
});
afterAll(() => app?.stop());

describe("webhooks off (WEBHOOK_URLS empty)", () => {
  it("revocations → the usual answers and the record on the session row; the outbox stays empty", async () => {
    const [current, other, third] = await signedInSessions(3);
    await expect(await nativeLogout(app, third!.token)).toHaveStatus(204);
    await expect(await revokeOthers(app, current!)).toHaveStatus(200);

    expect(await app.db.session.findUniqueOrThrow({ where: { id: other!.id } })).toMatchObject({
      active: false,
      revocationReason: "revoked_other_sessions",
      revokedBySessionId: current!.id,
    });
    expect(await app.db.webhookDelivery.count()).toBe(0);
  });

  it("no delivery worker starts", async () => {
    const { startWebhookWorker } = await import("@/lib/server/webhooks/worker");
    expect(startWebhookWorker()).toBeUndefined();
  });
});
