// `await expect(response).toHaveStatus(204)`: on failure it shows the status and the body, so a
// failing HTTP assertion explains itself.

import { expect } from "vitest";

expect.extend({
  async toHaveStatus(received: Response, expected: number) {
    const pass = received.status === expected;
    const body = pass ? "" : await received.clone().text();
    return {
      pass,
      message: () =>
        `expected HTTP ${this.isNot ? "not " : ""}${expected}, got ${received.status} ${received.statusText}` +
        `${body ? ` with body:\n${body.slice(0, 2000)}` : " with an empty body"}`,
    };
  },
});

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as vitest declares it
  interface Matchers<T = any> {
    toHaveStatus(expected: number): Promise<T>;
  }
}
