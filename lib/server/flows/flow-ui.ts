// What a flow shows: Kratos's messages and form nodes, and the flow object UIs and the SDK read.
// Message ids and texts are Kratos's (text/id.go), so UIs that translate by id keep working.

import type { SelfServiceFlow } from "../database/client";
import type { LoginFlowJson, RegistrationFlowJson, UiNodeJson, UiTextJson } from "../kratos-json";
import { publicUrl } from "../config";
import type { FlowKind } from "./flows";

export type UiText = UiTextJson & { context?: Record<string, unknown> };

/** What a failed submission tells the form: messages, and what was typed (never the password). */
export type FlowUi = { messages: UiText[]; fieldMessages: Record<string, UiText[]>; values: Record<string, string> };

export const EMPTY_UI: FlowUi = { messages: [], fieldMessages: {}, values: {} };

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
export const FIELD_MAX_LENGTH = 256;

export const text = {
  missing: (property: string): UiText => ({
    id: 4000002,
    text: `Property ${property} is missing.`,
    type: "error",
    context: { property },
  }),
  notAString: (): UiText => ({ id: 4000001, text: "expected string, but got something else", type: "error" }),
  tooLong: (): UiText => ({ id: 4000001, text: `length must be <= ${FIELD_MAX_LENGTH}`, type: "error" }),
  notAnEmail: (value: string): UiText => ({ id: 4000001, text: `"${value}" is not valid "email"`, type: "error" }),
  passwordTooShort: (length: number): UiText => ({
    id: 4000032,
    text: `The password must be at least ${PASSWORD_MIN_LENGTH} characters long, but got ${length}.`,
    type: "error",
    context: { min_length: PASSWORD_MIN_LENGTH, actual_length: length },
  }),
  passwordTooLong: (): UiText => ({
    id: 4000001,
    text: `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`,
    type: "error",
  }),
  passwordLikeIdentifier: (): UiText => ({
    id: 4000031,
    text: "The password can not be used because it is too similar to the identifier.",
    type: "error",
  }),
  invalidCredentials: (): UiText => ({
    id: 4000006,
    text: "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.",
    type: "error",
  }),
  duplicate: (): UiText => ({
    id: 4000007,
    text: "An account with the same identifier (email, phone, username, ...) exists already.",
    type: "error",
  }),
  noStrategy: (kind: FlowKind): UiText =>
    kind === "login"
      ? {
          id: 4010002,
          text: "Could not find a strategy to log you in with. Did you fill out the form correctly?",
          type: "error",
        }
      : {
          id: 4040002,
          text: "Could not find a strategy to sign you up with. Did you fill out the form correctly?",
          type: "error",
        },
};

// Kratos labels a field from the identity schema's title (1070002, "generated"): the login
// identifier too, because traits.email is the schema's one password identifier. UIs such as Ory
// Elements format the label from `context.title`.
const emailLabel: UiText = {
  id: 1070002,
  text: "E-Mail",
  type: "info",
  context: { title: "E-Mail", name: "traits.email" },
};

const label = {
  identifier: emailLabel,
  email: emailLabel,
  password: { id: 1070001, text: "Password", type: "info" } as UiText,
  signInWithPassword: { id: 1010022, text: "Sign in with password", type: "info" } as UiText,
  /** A re-authentication flow's button (Kratos's PopulateLoginMethodFirstFactorRefresh). */
  signIn: { id: 1010001, text: "Sign in", type: "info" } as UiText,
  signUp: { id: 1040001, text: "Sign up", type: "info" } as UiText,
};

/** What a re-authentication flow shows at first: Kratos's message, and the identifier it is for. */
export function reauthenticationUi(identifier: string): FlowUi {
  return {
    messages: [{ id: 1010003, text: "Please confirm this action by verifying that it is you.", type: "info" }],
    fieldMessages: {},
    values: { identifier },
  };
}

/** The field holding the identifier: what a failed submission's values and messages are keyed by. */
export const IDENTIFIER_FIELD: Record<FlowKind, string> = { login: "identifier", registration: "traits.email" };

type InputAttributes = {
  name: string;
  type: "hidden" | "text" | "email" | "password" | "submit";
  value?: string;
  required?: boolean;
  autocomplete?: "username" | "current-password" | "email" | "new-password";
};

function input(
  group: "default" | "password",
  attributes: InputAttributes,
  labelText: UiText | undefined,
  messages: UiText[] = [],
): UiNodeJson {
  return {
    type: "input",
    group,
    attributes: { ...attributes, disabled: false, node_type: "input" },
    messages,
    meta: labelText ? { label: labelText } : {},
  };
}

/** Each kind's form: how its identifier field looks, and the password and submit nodes. */
const FORMS: Record<
  FlowKind,
  {
    identifier: Pick<InputAttributes, "type" | "autocomplete"> & { group: "default" | "password"; label: UiText };
    passwordAutocomplete: InputAttributes["autocomplete"];
    submit: UiText;
  }
> = {
  login: {
    identifier: { group: "default", type: "text", autocomplete: "username", label: label.identifier },
    passwordAutocomplete: "current-password",
    submit: label.signInWithPassword,
  },
  registration: {
    identifier: { group: "password", type: "email", autocomplete: "email", label: label.email },
    passwordAutocomplete: "new-password",
    submit: label.signUp,
  },
};

function nodes(kind: FlowKind, ui: FlowUi, csrfToken: string | undefined, refresh: boolean): UiNodeJson[] {
  const form = FORMS[kind];
  const name = IDENTIFIER_FIELD[kind];
  const messages = (field: string) => ui.fieldMessages[field] ?? [];
  const { group, label: identifierLabel, ...identifier } = form.identifier;
  const value = ui.values[name] ?? "";
  return [
    ...(csrfToken === undefined
      ? []
      : [input("default", { name: "csrf_token", type: "hidden", value: csrfToken, required: true }, undefined)]),
    // Re-authentication proves the signed-in identity again: its identifier is given, not typed.
    refresh
      ? input("default", { name, type: "hidden", value }, undefined)
      : input(group, { name, ...identifier, value, required: true }, identifierLabel, messages(name)),
    input(
      "password",
      { name: "password", type: "password", required: true, autocomplete: form.passwordAutocomplete },
      label.password,
      messages("password"),
    ),
    input("password", { name: "method", type: "submit", value: "password" }, refresh ? label.signIn : form.submit),
  ];
}

/** Where a flow's form is submitted: `ui.action`. */
export function flowActionUrl(kind: FlowKind, id: string): URL {
  const url = publicUrl(`/self-service/${kind}`);
  url.searchParams.set("flow", id);
  return url;
}

/** What the flow remembers: its last failed HTML form submission, or what a re-authentication flow starts with. */
function rememberedUi(flow: SelfServiceFlow): FlowUi {
  return flow.ui ? { ...EMPTY_UI, ...(JSON.parse(flow.ui) as Partial<FlowUi>) } : EMPTY_UI;
}

export type FlowJson = LoginFlowJson | RegistrationFlowJson;

/**
 * Kratos's LoginFlow / RegistrationFlow object. Browser flows carry the CSRF token of the browser
 * they were issued to; `ui` defaults to what the flow remembers.
 */
export function flowJson(
  flow: SelfServiceFlow,
  csrfToken: string | undefined,
  ui: FlowUi = rememberedUi(flow),
): FlowJson {
  const kind = flow.kind as FlowKind;
  return {
    id: flow.id,
    type: flow.type,
    expires_at: flow.expiresAt.toISOString(),
    issued_at: flow.issuedAt.toISOString(),
    request_url: flow.requestUrl,
    ...(flow.returnTo ? { return_to: flow.returnTo } : {}),
    ...(kind === "login" ? { refresh: flow.refresh, requested_aal: "aal1" as const } : {}),
    state: flow.state,
    ui: {
      action: flowActionUrl(kind, flow.id).href,
      method: "POST",
      nodes: nodes(kind, ui, flow.type === "browser" ? csrfToken : undefined, flow.refresh),
      ...(ui.messages.length > 0 ? { messages: ui.messages } : {}),
    },
  };
}
