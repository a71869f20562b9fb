// Identities, for operators (Kratos's admin identity API): read one, find one by email, and change
// its state. Deactivating an identity ends every session of it that still counts, in the same
// transaction as the state change, so no instance ever sees an inactive identity with a session
// that counts, and every ended session is told like any other revocation (reason identity_deactivated).

import { db, type Prisma } from "../database/client";
import { badRequest, notFound } from "../errors";
import { isUuid } from "../ids";
import { normaliseEmail } from "../identities/identities";
import { inRevocationTransaction, revokeSessionsInTransaction, type RevokedSession } from "../sessions/revocation";
import type { PublicIdentity } from "../sessions/sessions";

export type IdentityState = "active" | "inactive";

const PUBLIC = { omit: { passwordHash: true } } as const;

/** The identity with this id (Kratos's getIdentity); 400 for a malformed id, 404 when there is none. */
export async function getIdentityForAdmin(rawId: string): Promise<PublicIdentity> {
  if (!isUuid(rawId)) throw badRequest(`The identity id must be a UUID, got ${JSON.stringify(rawId.slice(0, 64))}.`);
  const identity = await db().identity.findUnique({ where: { id: rawId.toLowerCase() }, ...PUBLIC });
  if (!identity) throw notFound("No identity with this id exists.");
  return identity;
}

/** The identity with this email address (spelt as sign-in spells it), or undefined. */
export async function findIdentityByEmail(email: string): Promise<PublicIdentity | undefined> {
  return (await db().identity.findUnique({ where: { email: normaliseEmail(email) }, ...PUBLIC })) ?? undefined;
}

async function setState(
  tx: Prisma.TransactionClient,
  id: string,
  state: IdentityState,
  now: Date,
): Promise<{ identity: PublicIdentity; revoked: RevokedSession[] }> {
  const identity = await tx.identity.update({ where: { id }, data: { state, updatedAt: now }, ...PUBLIC });
  // On deactivation, every session that still counts ends now; one that ended already is left as it ended.
  const revoked =
    state === "inactive"
      ? await revokeSessionsInTransaction(
          tx,
          { identityId: id },
          { reason: "identity_deactivated", initiatedBySessionId: null },
          now,
        )
      : [];
  return { identity, revoked };
}

/**
 * Sets an identity's state. "inactive" stops it from signing in and ends its sessions (events with
 * reason identity_deactivated), all in one transaction; "active" lets it sign in again (its ended
 * sessions stay ended). Returns the identity as it now is and the sessions this call ended.
 */
export async function setIdentityState(
  identityId: string,
  state: IdentityState,
  now = new Date(),
): Promise<{ identity: PublicIdentity; revoked: RevokedSession[] }> {
  return inRevocationTransaction((tx) => setState(tx, identityId, state, now));
}

/** One operation of a JSON Patch (RFC 6902), as the request gave it. */
export type JsonPatchOperation = { op: string; path: string; value?: unknown; from?: string };

const STATES: readonly string[] = ["active", "inactive"] satisfies IdentityState[];

/**
 * The state a JSON Patch sets, applied in order (Kratos's patchIdentity); undefined when it sets
 * none. Only `/state` can be patched here: `replace` or `add` with "active" or "inactive". Anything
 * else is refused as a whole (400), so a patch is applied completely or not at all.
 */
export function stateFromPatch(operations: readonly JsonPatchOperation[]): IdentityState | undefined {
  let state: IdentityState | undefined;
  for (const { op, path, value } of operations) {
    if (path !== "/state" || (op !== "replace" && op !== "add")) {
      throw badRequest(
        `Only the identity's state can be patched here: {"op":"replace","path":"/state","value":"active"|"inactive"}. ` +
          `Got ${JSON.stringify(op)} on ${JSON.stringify(path)}.`,
      );
    }
    if (typeof value !== "string" || !STATES.includes(value)) {
      throw badRequest(
        `The supplied state (${JSON.stringify(value ?? null)}) was not valid. Valid states are ("active", "inactive").`,
      );
    }
    state = value as IdentityState;
  }
  return state;
}

/** Applies a JSON Patch to an identity (Kratos's patchIdentity): its state, see stateFromPatch. */
export async function patchIdentity(
  rawId: string,
  operations: readonly JsonPatchOperation[],
): Promise<{ identity: PublicIdentity; revoked: RevokedSession[] }> {
  const identity = await getIdentityForAdmin(rawId);
  const state = stateFromPatch(operations);
  if (state === undefined) return { identity, revoked: [] };
  return setIdentityState(identity.id, state);
}
