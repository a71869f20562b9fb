// Login and registration flows with the password method, shaped as Kratos's flow objects so the
// official SDK and Kratos UIs can drive them. The two flows differ only in their form fields and
// in what a valid submission does; everything else (creation, expiry, CSRF, answers) is shared.

import { config, publicUrl } from "./config";
import { csrfTokenFor, verifyCsrf } from "./csrf";
import { db } from "./db";
import { flowExpired, HttpError, sessionAlreadyAvailable } from "./errors";
import type { SelfServiceFlow } from "./generated/prisma/client";
import { createIdentity, DuplicateIdentityError, normaliseEmail, verifyCredentials } from "./identities";
import { isUuid } from "./ids";
import { readBody } from "./request-body";
import { allowedReturnTo } from "./return-to";
import {
  activeSessionFromHeaders,
  createSession,
  deviceFromHeaders,
  identityJson,
  sessionJson,
  type SessionWithIdentity,
} from "./sessions";
import { hashToken } from "./tokens";

export type FlowKind = "login" | "registration";
export type FlowType = "browser" | "api";

export type UiText = { id: number; text: string; type: "info" | "error"; context?: Record<string, unknown> };

type UiNode = {
  type: "input";
  group: "default" | "password";
  attributes: {
    name: string;
    type: "hidden" | "text" | "email" | "password" | "submit";
    value?: string;
    required?: boolean;
    autocomplete?: string;
    disabled: false;
    node_type: "input";
  };
  messages: UiText[];
  meta: { label?: UiText };
};

/** What a failed submission tells the form: messages, and what was typed (never the password). */
export type FlowUi = { messages: UiText[]; fieldMessages: Record<string, UiText[]>; values: Record<string, string> };

const EMPTY_UI: FlowUi = { messages: [], fieldMessages: {}, values: {} };

const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 256;
const FIELD_MAX_LENGTH = 256;

// Message ids and texts are Kratos's (text/id.go), so UIs that translate by id keep working.
const text = {
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
      ? { id: 4010002, text: "Could not find a strategy to log you in with. Did you fill out the form correctly?", type: "error" }
      : { id: 4040002, text: "Could not find a strategy to sign you up with. Did you fill out the form correctly?", type: "error" },
};

const label = {
  identifier: { id: 1070004, text: "ID", type: "info" } as UiText,
  email: { id: 1070002, text: "E-Mail", type: "info" } as UiText,
  password: { id: 1070001, text: "Password", type: "info" } as UiText,
  signIn: { id: 1010001, text: "Sign in", type: "info", context: {} } as UiText,
  signUp: { id: 1040001, text: "Sign up", type: "info", context: {} } as UiText,
};

function input(
  group: UiNode["group"],
  attributes: Omit<UiNode["attributes"], "disabled" | "node_type">,
  labelText: UiText | undefined,
  messages: UiText[] = [],
): UiNode {
  return {
    type: "input",
    group,
    attributes: { ...attributes, disabled: false, node_type: "input" },
    messages,
    meta: labelText ? { label: labelText } : {},
  };
}

/** The field holding the identifier: what a failed submission's values and messages are keyed by. */
const IDENTIFIER_FIELD: Record<FlowKind, string> = { login: "identifier", registration: "traits.email" };

function nodes(kind: FlowKind, ui: FlowUi, csrfToken: string | undefined): UiNode[] {
  const result: UiNode[] = [];
  if (csrfToken !== undefined) {
    result.push(input("default", { name: "csrf_token", type: "hidden", value: csrfToken, required: true }, undefined));
  }
  const identifier = IDENTIFIER_FIELD[kind];
  const value = ui.values[identifier] ?? "";
  const messages = (name: string) => ui.fieldMessages[name] ?? [];
  if (kind === "login") {
    result.push(
      input("default", { name: identifier, type: "text", value, required: true, autocomplete: "username" }, label.identifier, messages(identifier)),
      input("password", { name: "password", type: "password", required: true, autocomplete: "current-password" }, label.password, messages("password")),
      input("password", { name: "method", type: "submit", value: "password" }, label.signIn),
    );
  } else {
    result.push(
      input("password", { name: identifier, type: "email", value, required: true, autocomplete: "email" }, label.email, messages(identifier)),
      input("password", { name: "password", type: "password", required: true, autocomplete: "new-password" }, label.password, messages("password")),
      input("password", { name: "method", type: "submit", value: "password" }, label.signUp),
    );
  }
  return result;
}

function parseUi(flow: SelfServiceFlow): FlowUi {
  return flow.ui ? { ...EMPTY_UI, ...(JSON.parse(flow.ui) as Partial<FlowUi>) } : EMPTY_UI;
}

/** Kratos's LoginFlow / RegistrationFlow object; `ui` defaults to what the flow remembers. */
export function flowJson(flow: SelfServiceFlow, csrfToken: string | undefined, ui: FlowUi = parseUi(flow)) {
  const kind = flow.kind as FlowKind;
  return {
    id: flow.id,
    type: flow.type,
    expires_at: flow.expiresAt.toISOString(),
    issued_at: flow.issuedAt.toISOString(),
    request_url: flow.requestUrl,
    ...(flow.returnTo ? { return_to: flow.returnTo } : {}),
    ...(kind === "login" ? { refresh: false, requested_aal: "aal1" } : {}),
    state: flow.state,
    ui: {
      action: flowActionUrl(kind, flow.id).href,
      method: "POST",
      nodes: nodes(kind, ui, flow.type === "browser" ? csrfToken : undefined),
      ...(ui.messages.length > 0 ? { messages: ui.messages } : {}),
    },
  };
}

export function flowActionUrl(kind: FlowKind, id: string): URL {
  const url = publicUrl(`/self-service/${kind}`);
  url.searchParams.set("flow", id);
  return url;
}

/** The page that renders a browser flow: /login?flow=… or /registration?flow=… */
export function flowPageUrl(kind: FlowKind, id: string): URL {
  const url = publicUrl(`/${kind}`);
  url.searchParams.set("flow", id);
  return url;
}

/** Starting a flow while signed in is refused, as in Kratos (there is no `refresh` here). */
export async function assertSignedOut(headers: Headers): Promise<void> {
  if (await activeSessionFromHeaders(headers)) throw sessionAlreadyAvailable();
}

/** Creates a flow. Browser flows are bound to the browser's CSRF token (set as a cookie if new). */
export async function createFlow(
  kind: FlowKind,
  type: FlowType,
  request: Request,
): Promise<{ flow: SelfServiceFlow; csrfToken?: string; cookies: string[] }> {
  const url = new URL(request.url);
  const returnTo = url.searchParams.get("return_to");
  const validatedReturnTo = returnTo ? allowedReturnTo(returnTo, config().defaultBrowserReturnUrl).href : null;
  const csrf = type === "browser" ? csrfTokenFor(request.headers) : undefined;
  const now = new Date();
  const flow = await db().selfServiceFlow.create({
    data: {
      id: crypto.randomUUID(),
      kind,
      type,
      csrfTokenHash: csrf ? hashToken(csrf.token) : null,
      returnTo: validatedReturnTo,
      requestUrl: publicUrl(`/self-service/${kind}/${type}${url.search}`).href,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + config().flowLifespanMs),
    },
  });
  return { flow, csrfToken: csrf?.token, cookies: csrf?.setCookie ? [csrf.setCookie] : [] };
}


export async function findFlow(kind: FlowKind, id: string | null): Promise<SelfServiceFlow> {
  const flow = id && isUuid(id) ? await db().selfServiceFlow.findUnique({ where: { id: id.toLowerCase() } }) : null;
  if (!flow || flow.kind !== kind) {
    throw new HttpError(404, "The requested resource could not be found", {
      id: "self_service_flow_not_found",
      reason: `The ${kind} flow could not be found. It may have been completed already; start a new one.`,
    });
  }
  return flow;
}

export function assertNotExpired(flow: SelfServiceFlow, now = new Date()): void {
  if (flow.expiresAt > now) return;
  const minutes = ((now.getTime() - flow.expiresAt.getTime()) / 60_000).toFixed(2);
  throw flowExpired(`The self-service flow expired ${minutes} minutes ago, initialize a new one.`);
}

function tooSimilar(password: string, identifier: string): boolean {
  const p = password.toLowerCase();
  const i = identifier.toLowerCase();
  return p.includes(i) || i.includes(p);
}

type Submission = { identifier: string; password: string };

/** Field checks that need no database: per-field messages for the form, or the clean values. */
function validate(kind: FlowKind, fields: Record<string, unknown>): { ok: true; value: Submission } | { ok: false; ui: FlowUi } {
  const identifierField = IDENTIFIER_FIELD[kind];
  const rawIdentifier = kind === "login" ? fields.identifier : (fields.traits as Record<string, unknown> | undefined)?.email;
  const fieldMessages: Record<string, UiText[]> = {};
  const values: Record<string, string> = {};
  const messages: UiText[] = [];

  const check = (name: string, value: unknown): string | undefined => {
    if (value === undefined || value === null || value === "") fieldMessages[name] = [text.missing(name)];
    else if (typeof value !== "string") fieldMessages[name] = [text.notAString()];
    else if (value.length > (name === "password" ? PASSWORD_MAX_LENGTH : FIELD_MAX_LENGTH))
      fieldMessages[name] = [name === "password" ? text.passwordTooLong() : text.tooLong()];
    else return value;
    return undefined;
  };
  const identifier = check(identifierField, rawIdentifier);
  const password = check("password", fields.password);
  if (identifier !== undefined) values[identifierField] = identifier;
  if (fields.method !== "password") messages.push(text.noStrategy(kind));

  if (kind === "registration" && identifier !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(normaliseEmail(identifier))) {
    fieldMessages[identifierField] = [text.notAnEmail(identifier)];
  }
  if (kind === "registration" && password !== undefined && identifier !== undefined) {
    if ([...password].length < PASSWORD_MIN_LENGTH) fieldMessages.password = [text.passwordTooShort([...password].length)];
    else if (tooSimilar(password, identifier)) fieldMessages.password = [text.passwordLikeIdentifier()];
  }
  if (identifier === undefined || password === undefined || messages.length > 0 || Object.keys(fieldMessages).length > 0) {
    return { ok: false, ui: { messages, fieldMessages, values } };
  }
  return { ok: true, value: { identifier, password } };
}

export type SubmissionResult =
  | { outcome: "invalid"; flow: SelfServiceFlow; ui: FlowUi }
  | { outcome: "signed-in"; flow: SelfServiceFlow; session: SessionWithIdentity; token: string };

const rejected = (flow: SelfServiceFlow, ui: FlowUi): SubmissionResult => ({ outcome: "invalid", flow, ui });

/**
 * A browser that posted an HTML form is sent back to the form page, which can only show why if the
 * flow remembers it. JSON and API clients get the messages in the answer, and nothing is written.
 */
export async function rememberFailedSubmission(flow: SelfServiceFlow, ui: FlowUi): Promise<void> {
  await db().selfServiceFlow.update({ where: { id: flow.id }, data: { ui: JSON.stringify(ui) } });
}

/**
 * Submits a flow. Checks run before anything is written: flow exists and is unexpired, body is
 * well-formed, CSRF (browser flows), not already signed in. Then the form: invalid input or
 * credentials come back as messages and change nothing; success signs the user in.
 */
export async function submitFlow(kind: FlowKind, flow: SelfServiceFlow, request: Request): Promise<SubmissionResult> {
  assertNotExpired(flow);
  const { fields } = await readBody(request, ["json", "form"]);
  if (flow.type === "browser") verifyCsrf(request.headers, fields.csrf_token, flow.csrfTokenHash);
  await assertSignedOut(request.headers);
  if (flow.state !== "choose_method") {
    throw new HttpError(400, "The request was malformed or contained invalid parameters", {
      id: "self_service_flow_already_completed",
      reason: `This ${kind} flow was completed already; start a new one.`,
    });
  }

  const validation = validate(kind, fields);
  if (!validation.ok) return rejected(flow, validation.ui);
  const { identifier, password } = validation.value;
  const values = { [IDENTIFIER_FIELD[kind]]: identifier };

  let identity;
  if (kind === "login") {
    identity = await verifyCredentials(identifier, password);
    if (!identity) return rejected(flow, { ...EMPTY_UI, messages: [text.invalidCredentials()], values });
  } else {
    try {
      identity = await createIdentity(identifier, password);
    } catch (error) {
      if (error instanceof DuplicateIdentityError) return rejected(flow, { ...EMPTY_UI, messages: [text.duplicate()], values });
      throw error;
    }
  }

  // Registration signs the user in, as Kratos's session hook does.
  const { session, token } = await createSession(identity, deviceFromHeaders(request.headers));
  const completed = await db().selfServiceFlow.update({ where: { id: flow.id }, data: { state: "passed_challenge", ui: null } });
  return { outcome: "signed-in", flow: completed, session, token };
}

/** The body of a successful submission, per flow kind and type (Kratos's Successful* objects). */
export function successJson(kind: FlowKind, result: Extract<SubmissionResult, { outcome: "signed-in" }>) {
  const session = sessionJson(result.session);
  const identity = kind === "registration" ? { identity: identityJson(result.session.identity) } : {};
  return result.flow.type === "api" ? { ...identity, session_token: result.token, session } : { ...identity, session };
}

export function returnUrlAfter(flow: SelfServiceFlow): URL {
  return new URL(flow.returnTo ?? config().defaultBrowserReturnUrl.href);
}
