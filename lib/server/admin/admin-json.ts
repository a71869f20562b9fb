// Sessions and identities as Kratos's admin API shows them: a session's identity and devices only
// when asked for (`expand`), null otherwise, as Kratos sends them; an identity with its admin
// metadata and its credentials' types and identifiers (never a hash). Built on the public shapes.

import type { IdentityJson, SessionJson } from "../kratos-json";
import { identityJson, sessionJson } from "../sessions/session-json";
import type { PublicIdentity, SessionWithIdentity } from "../sessions/sessions";

/** Which of a session's relations an admin answer carries (Kratos's `expand=identity|devices`). */
export type SessionExpansion = { identity: boolean; devices: boolean };

export const EXPAND_NOTHING: SessionExpansion = { identity: false, devices: false };
export const EXPAND_EVERYTHING: SessionExpansion = { identity: true, devices: true };

export type AdminSessionJson = Omit<SessionJson, "identity" | "devices"> & {
  identity: IdentityJson | null;
  devices: NonNullable<SessionJson["devices"]> | null;
};

export function adminIdentityJson(identity: PublicIdentity): IdentityJson {
  return {
    ...identityJson(identity),
    metadata_admin: null,
    credentials: {
      password: {
        type: "password",
        identifiers: [identity.email],
        version: 0,
        created_at: identity.createdAt.toISOString(),
        updated_at: identity.updatedAt.toISOString(),
      },
    },
  };
}

export function adminSessionJson(session: SessionWithIdentity, expand: SessionExpansion): AdminSessionJson {
  const { devices, ...rest } = sessionJson(session);
  return {
    ...rest,
    // Replaced, not the public shape's: an admin answer shows the identity as the admin API does.
    identity: expand.identity ? adminIdentityJson(session.identity) : null,
    devices: expand.devices ? (devices ?? []) : null,
  };
}
