// Signing a user out everywhere on a cluster (issue 16): two instances on one PostgreSQL behind
// nginx. After the admin API answers on any instance, every device of that user is refused by
// every instance at once, asked directly: no instance keeps a session that counts in memory.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClusterApp, type Cluster, type ClusterApp } from "../support/cluster";
import { ADMIN_TOKEN } from "../support/admin";
import { whoamiStatus } from "../support/client";
import { identityApi } from "../support/sdk";
import { signedInSessions, testIdentity, type SignedIn } from "../support/sessions";

let app: ClusterApp;
/** The cluster as one app: requests go through nginx. */
let cluster: Cluster;

beforeAll(async () => {
  app = await startClusterApp({ ADMIN_API_TOKEN: ADMIN_TOKEN });
  cluster = app.cluster;
});

afterAll(async () => {
  await app?.stop();
});

const instance = (i: number) => app.instance(i);

/** What every instance answers on whoami for each device, by its cookie and by its token. */
async function everywhere(devices: SignedIn[]): Promise<number[]> {
  const statuses = await Promise.all(
    cluster.servers.flatMap((_, i) =>
      devices.flatMap((device) => [
        whoamiStatus(instance(i), { cookie: device.cookie }),
        whoamiStatus(instance(i), { "X-Session-Token": device.token }),
      ]),
    ),
  );
  return [...new Set(statuses)];
}

describe("the admin API on a cluster of two instances behind nginx", () => {
  it("deleteIdentitySessions through nginx → every device of the user 401 on every instance at once", async () => {
    const identity = await testIdentity();
    const devices = await signedInSessions(4, identity);
    const [bystander] = await signedInSessions(1);
    expect(await everywhere(devices)).toEqual([200]);

    await identityApi(app, { accessToken: ADMIN_TOKEN }).deleteIdentitySessions({ id: identity.id });
    expect(await everywhere(devices)).toEqual([401]);
    expect(await everywhere([bystander!])).toEqual([200]);
  });

  it("on each instance in turn: disableSession on one, the device refused by the other", async () => {
    for (const [revoking, checking] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const [device, other] = await signedInSessions(2);
      await identityApi(instance(revoking), { accessToken: ADMIN_TOKEN }).disableSession({ id: device!.id });
      expect(await whoamiStatus(instance(checking), { cookie: device!.cookie })).toBe(401);
      expect(await whoamiStatus(instance(checking), { cookie: other!.cookie })).toBe(200);
    }
  });

  it("patchIdentity to inactive on one instance → every device 401 on every instance at once", async () => {
    const identity = await testIdentity();
    const devices = await signedInSessions(3, identity);
    expect(await everywhere(devices)).toEqual([200]);

    const updated = await identityApi(instance(0), { accessToken: ADMIN_TOKEN }).patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: "replace", path: "/state", value: "inactive" }],
    });
    expect(updated.state).toBe("inactive");
    expect(await everywhere(devices)).toEqual([401]);
    const sessions = await identityApi(instance(1), { accessToken: ADMIN_TOKEN }).listIdentitySessions({
      id: identity.id,
      active: true,
    });
    expect(sessions).toEqual([]);
  });
});
