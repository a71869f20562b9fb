// Sessions and identities as Kratos's API shows them. Never the token, never a password hash.

import type { AuthenticatorAssuranceLevel, SessionAuthenticationMethodMethodEnum } from "@ory/client-fetch";
import { publicUrl } from "../config";
import type { IdentityJson, SessionJson } from "../kratos-json";
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
