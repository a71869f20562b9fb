// Password hashing: scrypt, verified in constant time, and bounded so that a flood of sign-ins
// cannot take every thread of libuv's pool (which unsealing session cookies needs too).

import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { hashPassword, MAX_RUNNING, MAX_WAITING, verifyPassword } from "@/lib/server/identities/password";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stable", stored)).toBe(false);
  });

  it("runs one hash per two cores (one or two), queues 32 more, and refuses the next one at once with 503", async () => {
    expect(MAX_RUNNING).toBe(Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2))));
    expect(MAX_WAITING).toBe(32);
    const admitted = MAX_RUNNING + MAX_WAITING;
    const attempts = Array.from({ length: admitted + 1 }, (_, i) =>
      hashPassword(`password-${i}`).then(
        () => "hashed",
        (error: { code?: number; retryAfterSeconds?: number }) =>
          `${error.code} retry after ${error.retryAfterSeconds}s`,
      ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((outcome) => outcome === "hashed")).toHaveLength(admitted);
    expect(outcomes[admitted]).toBe("503 retry after 1s");
    // Every slot was given back: hashing works again.
    expect(await verifyPassword("again", await hashPassword("again"))).toBe(true);
  });
});
