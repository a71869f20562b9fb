// Identities with the password method: registration creates one, login verifies one.

import { db, Prisma, type Identity } from "../database/client";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./password";

/** One spelling per address: Unicode NFKC, trimmed, lower-cased. */
export function normaliseEmail(email: string): string {
  return email.normalize("NFKC").trim().toLowerCase();
}

export class DuplicateIdentityError extends Error {
  constructor() {
    super("An account with the same identifier exists already.");
    this.name = "DuplicateIdentityError";
  }
}

export async function createIdentity(email: string, password: string): Promise<Identity> {
  const passwordHash = await hashPassword(password);
  try {
    return await db().identity.create({
      data: { id: crypto.randomUUID(), email: normaliseEmail(email), passwordHash },
    });
  } catch (error) {
    // The unique index decides, so two simultaneous registrations of one address cannot both win.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new DuplicateIdentityError();
    }
    throw error;
  }
}

/** The identity these credentials belong to, or undefined; as slow for an unknown email as for a wrong password. */
export async function verifyCredentials(email: string, password: string): Promise<Identity | undefined> {
  const identity = await db().identity.findUnique({ where: { email: normaliseEmail(email) } });
  const valid = await verifyPassword(password, identity?.passwordHash ?? (await decoyPasswordHash()));
  return identity && valid && identity.state === "active" ? identity : undefined;
}
