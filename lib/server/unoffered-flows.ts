// Self-service flows Kratos has and this app does not offer. Ory's UIs link to them (a "Forgot
// password?" link, an account settings page), so they get Kratos's answer for a disabled flow
// instead of a 404 page.

import { flowDisabled, type KratosError } from "./errors";

const UNOFFERED: Record<string, KratosError> = {
  settings: flowDisabled("Settings"),
  recovery: flowDisabled("Recovery"),
  verification: flowDisabled("Verification"),
};

/**
 * The disabled-flow error of the flow named by a URL segment (`/self-service/recovery/browser` →
 * recovery), if it is one we do not offer: the same error for every request.
 */
export function unofferedFlowError(name: string): KratosError | undefined {
  return Object.hasOwn(UNOFFERED, name) ? UNOFFERED[name] : undefined;
}
