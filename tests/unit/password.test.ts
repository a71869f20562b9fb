// Password hashing: scrypt, verified in constant time, and bounded so that a flood of sign-ins
// cannot take every thread of libuv's pool (which unsealing session cookies needs too), nor more
// than a quarter of the cores' time with wrong passwords.

import { availableParallelism } from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  hashPassword,
  MAX_RUNNING,
  MAX_WAITING,
  TimeBudget,
  verifyPassword,
  wrongPasswords,
} from "@/lib/server/identities/password";

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

  describe("wrong passwords' budget", () => {
    afterEach(() => vi.restoreAllMocks());

    it("is a quarter of the cores (at most the hashing slots), a second's worth at first", () => {
      expect(wrongPasswords.rate).toBe(Math.min(MAX_RUNNING, availableParallelism() / 4));
      expect(wrongPasswords.burst).toBe(1000);
    });

    it("is spent by a wrong password (its hashing time), not by a right one or a new one", async () => {
      const spend = vi.spyOn(wrongPasswords, "spend");
      const stored = await hashPassword("right password");
      expect(await verifyPassword("right password", stored)).toBe(true);
      expect(spend).not.toHaveBeenCalled();
      expect(await verifyPassword("wrong password", stored)).toBe(false);
      expect(spend).toHaveBeenCalledOnce();
      expect(spend.mock.calls[0]![0]).toBeGreaterThan(5);
    });

    it("once overdrawn, makes the next hash of any password wait until it is paid back", async () => {
      const stored = await hashPassword("right password");
      wrongPasswords.spend(wrongPasswords.left() + 800 * wrongPasswords.rate);
      expect(wrongPasswords.waitMs()).toBeGreaterThan(790);
      const started = performance.now();
      expect(await verifyPassword("right password", stored)).toBe(true);
      expect(performance.now() - started).toBeGreaterThanOrEqual(790);
      expect(wrongPasswords.waitMs()).toBe(0);
    });
  });
});

describe("TimeBudget", () => {
  it("starts full, is overdrawn by spending, refills at its rate up to its burst, and says how long until nothing is owed", () => {
    let now = 10_000;
    const budget = new TimeBudget(0.5, 1000, () => now);
    expect(budget.left()).toBe(1000);
    budget.spend(1400);
    expect(budget.left()).toBe(-400);
    expect(budget.waitMs()).toBe(800);
    now += 200;
    expect(budget.left()).toBe(-300);
    expect(budget.waitMs()).toBe(600);
    now += 600;
    expect(budget.waitMs()).toBe(0);
    expect(budget.left()).toBe(0);
    now += 60_000;
    expect(budget.left()).toBe(1000);
  });
});
