// Sessions and identities as Kratos's API shows them. Never the token, never a password hash.

import type { AuthenticatorAssuranceLevel, SessionAuthenticationMethodMethodEnum } from "@ory/client-fetch";
import { publicUrl } from "../config";
import type { IdentityJson, SessionJson } from "../kratos-json";
import type { EndedSession } from "./session-endings";
import { authenticationMethods, isActive, type PublicIdentity, type SessionWithIdentity } from "./sessions";

export function identityJson(identity: PublicIdentity): IdentityJson {
  return {
    id: identity.id,
    schema_id: identity.schemaId,
    schema_url: publicUrl(`/schemas/${Buffer.from(identity.schemaId).toString("base64url")}`).href,
    state: identity.state === "active" ? "active" : "inactive",
    traits: { email: identity.email },
    metadata_public: null,
    created_at: identity.createdAt.toISOString(),
    updated_at: identity.updatedAt.toISOString(),
  };
}

export function sessionJson(session: SessionWithIdentity): SessionJson {
  const aal = session.aal as AuthenticatorAssuranceLevel;
  return {
    id: session.id,
    active: isActive(session),
    expires_at: session.expiresAt.toISOString(),
    authenticated_at: session.authenticatedAt.toISOString(),
    authenticator_assurance_level: aal,
    authentication_methods: authenticationMethods(session).map(({ method, aal, completed_at }) => ({
      method: method as SessionAuthenticationMethodMethodEnum,
      aal: aal as AuthenticatorAssuranceLevel,
      completed_at,
    })),
    issued_at: session.issuedAt.toISOString(),
    identity: identityJson(session.identity),
    devices: [
      {
        id: session.deviceId,
        // Kratos sends null for an unknown address; the SDK's type says string.
        ip_address: session.ipAddress as string,
        user_agent: session.userAgent as string,
        location: "",
      },
    ],
  };
}

/**
 * An ended session for `GET /sessions?active=false`: Kratos's Session JSON (`active: false`) and
 * one field Kratos does not have, `ended` (README, "Signed out everywhere within a second"). The
 * reason is the revocation's ("logout", "revoked_by_user", …) or "expired"; `by` is the device whose
 * request ended it, null when none did.
 */
export type EndedSessionJson = SessionJson & {
  ended: { at: string; reason: string; by: { user_agent: string } | null };
};

export function endedSessionJson(session: EndedSession): EndedSessionJson {
  const { ending } = session;
  return {
    ...sessionJson(session),
    ended: {
      at: ending.endedAt.toISOString(),
      reason: ending.kind === "revoked" ? ending.reason : "expired",
      by: ending.kind === "revoked" && ending.by ? { user_agent: ending.by.userAgent ?? "" } : null,
    },
  };
}
