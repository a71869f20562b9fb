// `npm run admin`: sign a user out everywhere without an HTTP client, for operators. The same domain
// functions as the admin API (lib/server/admin/), on the database DATABASE_URL names, so every
// revocation is recorded, told to webhook receivers and refused by every running instance at once.
//
//   npm run admin -- sessions <email|identity id>              the identity's sessions, newest first
//   npm run admin -- revoke <email|identity id|session id>     end them all (or that one session)
//   npm run admin -- deactivate <email|identity id>            it can no longer sign in; all its sessions end
//   npm run admin -- activate <email|identity id>              it can sign in again (ended sessions stay ended)
//
// Run it with the app's environment (DATABASE_URL, WEBHOOK_URLS): the running servers deliver the
// webhook events it writes at their next poll (within a second).

import { findIdentityByEmail, getIdentityForAdmin, setIdentityState } from "../lib/server/admin/admin-identities";
import {
  getSessionForAdmin,
  listIdentitySessions,
  revokeIdentitySessions,
  revokeSessionAsAdmin,
} from "../lib/server/admin/admin-sessions";
import { db } from "../lib/server/database/client";
import { KratosError } from "../lib/server/errors";
import { isUuid } from "../lib/server/ids";
import { MAX_PAGE_SIZE, parsePageRequest } from "../lib/server/sessions/pagination";
import { isActive, type PublicIdentity, type SessionWithIdentity } from "../lib/server/sessions/sessions";

const USAGE = [
  "usage: npm run admin -- sessions <email|identity id>",
  "       npm run admin -- revoke <email|identity id|session id>",
  "       npm run admin -- deactivate <email|identity id>",
  "       npm run admin -- activate <email|identity id>",
].join("\n");

/** What the operator typed, as the thing it names. */
type Target = { identity: PublicIdentity } | { session: SessionWithIdentity };

class UsageError extends Error {}

async function identityByEmail(email: string): Promise<PublicIdentity> {
  const identity = await findIdentityByEmail(email);
  if (!identity) throw new UsageError(`No identity has the email address ${JSON.stringify(email)}.`);
  return identity;
}

async function target(value: string, { sessions }: { sessions: boolean }): Promise<Target> {
  if (value.includes("@")) return { identity: await identityByEmail(value) };
  if (!isUuid(value)) throw new UsageError(`${JSON.stringify(value)} is neither an email address nor an id (a UUID).`);
  const identity = await db().identity.findUnique({ where: { id: value.toLowerCase() }, select: { id: true } });
  if (identity) return { identity: await getIdentityForAdmin(identity.id) };
  if (sessions) {
    const session = await db().session.findUnique({ where: { id: value.toLowerCase() }, select: { id: true } });
    if (session) return { session: await getSessionForAdmin(session.id) };
  }
  throw new UsageError(`No identity${sessions ? " or session" : ""} has the id ${value}.`);
}

const who = (identity: PublicIdentity) => `${identity.email} (identity ${identity.id}, ${identity.state})`;

function describeSession(session: SessionWithIdentity, now: Date): string {
  const state = isActive(session, now)
    ? `active until ${session.expiresAt.toISOString()}`
    : session.revokedAt
      ? `ended ${session.revokedAt.toISOString()} (${session.revocationReason ?? "revoked"})`
      : session.expiresAt <= now
        ? `expired ${session.expiresAt.toISOString()}`
        : "not counting (identity inactive)";
  const device = [session.userAgent ?? "unknown device", session.ipAddress ?? "unknown address"].join(", ");
  return `  ${session.id}  signed in ${session.authenticatedAt.toISOString()}  ${state}\n      ${device}`;
}

async function listSessions(identity: PublicIdentity): Promise<void> {
  console.log(who(identity));
  const now = new Date();
  let count = 0;
  let pageToken: string | null = null;
  do {
    const page = await listIdentitySessions(identity.id, {}, parsePageRequest(String(MAX_PAGE_SIZE), pageToken));
    for (const session of page.items) console.log(describeSession(session, now));
    count += page.items.length;
    pageToken = page.nextPageToken ?? null;
  } while (pageToken);
  const counting = await db().session.count({
    where: { identityId: identity.id, active: true, expiresAt: { gt: now } },
  });
  console.log(count === 0 ? "No sessions." : `${count} session(s), ${counting} still active.`);
}

async function revoke(value: string): Promise<void> {
  const found = await target(value, { sessions: true });
  if ("session" in found) {
    const { session } = found;
    const ended = await revokeSessionAsAdmin(session.id);
    console.log(
      ended
        ? `Signed out session ${session.id} of ${who(session.identity)}.`
        : `Session ${session.id} of ${who(session.identity)} had ended already: nothing to do.`,
    );
    return;
  }
  const revoked = await revokeIdentitySessions(found.identity.id);
  console.log(`Signed out ${revoked.length} session(s) of ${who(found.identity)} everywhere.`);
  for (const session of revoked) console.log(`  ${session.id}`);
}

async function setState(identity: PublicIdentity, state: "active" | "inactive"): Promise<void> {
  const { identity: updated, revoked } = await setIdentityState(identity.id, state);
  if (state === "active") {
    console.log(`Activated ${who(updated)}: it can sign in again. Its ended sessions stay ended.`);
    return;
  }
  console.log(`Deactivated ${who(updated)}: it can no longer sign in.`);
  console.log(`Signed out ${revoked.length} session(s) everywhere.`);
  for (const session of revoked) console.log(`  ${session.id}`);
}

async function main([command, value, ...rest]: string[]): Promise<number> {
  if (!command || !value || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  try {
    switch (command) {
      case "sessions": {
        const found = await target(value, { sessions: false });
        if ("identity" in found) await listSessions(found.identity);
        return 0;
      }
      case "revoke":
        await revoke(value);
        return 0;
      case "deactivate":
      case "activate": {
        const found = await target(value, { sessions: false });
        if ("identity" in found) await setState(found.identity, command === "activate" ? "active" : "inactive");
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) console.error(error.message);
    else if (error instanceof KratosError) console.error(error.reason ?? error.message);
    else throw error;
    return 1;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  await db().$disconnect();
}
