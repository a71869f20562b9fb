// `npm run db:seed`: the demo account from the README. Idempotent: running it again changes nothing.

import { db } from "../lib/server/database/client";
import { createIdentity, DuplicateIdentityError } from "../lib/server/identities/identities";

export const DEMO_EMAIL = "demo@example.com";
export const DEMO_PASSWORD = "demo-password-123";

async function main(): Promise<void> {
  try {
    await createIdentity(DEMO_EMAIL, DEMO_PASSWORD);
    console.log(`Created the demo account: ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
  } catch (error) {
    if (!(error instanceof DuplicateIdentityError)) throw error;
    console.log(`The demo account exists already: ${DEMO_EMAIL}`);
  } finally {
    await db().$disconnect();
  }
}

await main();
