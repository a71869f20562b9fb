// The Kratos wire shapes this app answers with, typed once from the official SDK's own models
// (@ory/client-fetch). Every JSON body the app builds is declared as one of these types, so "the SDK
// works unchanged" is also checked by the compiler. Type-only imports: no SDK code ships.

import type {
  GenericError,
  Identity,
  LoginFlow,
  LogoutFlow,
  RegistrationFlow,
  Session,
  SuccessfulNativeLogin,
  SuccessfulNativeRegistration,
  UiNode,
  UiText,
} from "@ory/client-fetch";

/** The JSON form of an SDK model: what the SDK parses into a Date travels as an ISO 8601 string. */
export type Json<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer Item>
    ? Json<Item>[]
    : T extends object
      ? { [Key in keyof T]: Json<T[Key]> }
      : T;

export type SessionJson = Json<Session>;
export type IdentityJson = Json<Identity>;
export type LoginFlowJson = Json<LoginFlow>;
export type RegistrationFlowJson = Json<RegistrationFlow>;
export type UiNodeJson = Json<UiNode>;
export type UiTextJson = Json<UiText>;
export type LogoutUrlJson = Json<LogoutFlow>;
export type SuccessfulLoginJson = Json<SuccessfulNativeLogin>;
export type SuccessfulRegistrationJson = Json<SuccessfulNativeRegistration>;
/** The inner object of Kratos's error envelope `{"error": …}`. */
export type ErrorJson = Json<GenericError>;
