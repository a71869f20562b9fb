// Self-service flows Kratos has and this app does not offer. Ory's UIs link to them (a "Forgot
// password?" link, an account settings page), so they get Kratos's answer for a disabled flow
// instead of a 404 page.

import { flowDisabled, type KratosError } from "./errors";

export type UnofferedFlow = {
  /** The disabled-flow error, the same for every request. */
  error: KratosError;
  /**
   * A fixed id under which that error can be read back (GET /self-service/errors?id=): a browser is
   * sent to ERROR_UI_URL?id=<this id>, and nothing is stored per request.
   */
  errorId: string;
};

const UNOFFERED: Record<string, UnofferedFlow> = {
  settings: { error: flowDisabled("Settings"), errorId: "00000000-0000-4000-8000-000000000001" },
  recovery: { error: flowDisabled("Recovery"), errorId: "00000000-0000-4000-8000-000000000002" },
  verification: { error: flowDisabled("Verification"), errorId: "00000000-0000-4000-8000-000000000003" },
};

/** The flow named by a URL segment (`/self-service/recovery/browser` → recovery), if it is one we do not offer. */
export function unofferedFlow(name: string): UnofferedFlow | undefined {
  return Object.hasOwn(UNOFFERED, name) ? UNOFFERED[name] : undefined;
}

/** The disabled-flow error with this fixed id, if it is one. */
export function unofferedFlowError(id: string): UnofferedFlow | undefined {
  return Object.values(UNOFFERED).find((flow) => flow.errorId === id.toLowerCase());
}
