// Submitting a login or registration form. The fields are checked by one zod schema per flow kind;
// its issues become Kratos's per-field messages. Invalid input and wrong credentials come back as
// messages and change nothing; a valid submission signs the user in.

import { z } from "zod";
import { db, type SelfServiceFlow } from "../database/client";
import { apiFlowFromBrowser, flowAlreadyCompleted, sessionAlreadyAvailable, sessionInactive } from "../errors";
import { createIdentity, DuplicateIdentityError, normaliseEmail, verifyCredentials } from "../identities/identities";
import type { SuccessfulLoginJson, SuccessfulRegistrationJson } from "../kratos-json";
import { assertSignInAllowed, clearSignInFailures, countRegistration, recordSignInFailure } from "../rate-limits";
import { identityJson, sessionJson } from "../sessions/session-json";
import { createSession, reauthenticateSession, type Device, type SessionWithIdentity } from "../sessions/sessions";
import {
  EMPTY_UI,
  FIELD_MAX_LENGTH,
  IDENTIFIER_FIELD,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  text,
  type FlowUi,
  type UiText,
} from "./flow-ui";
import { returnUrlAfter, verifyCsrf, type FlowKind } from "./flows";

// Each rule's message is a key; `messageFor` turns it into Kratos's message for that field.
type RuleKey =
  "missing" | "not_a_string" | "too_long" | "no_strategy" | "not_an_email" | "too_short" | "like_identifier";

const requiredText = (maxLength: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? "missing" : "not_a_string") })
    .min(1, "missing")
    .max(maxLength, "too_long");

const method = z.literal("password", "no_strategy");

const LoginFields = z.object({
  method,
  identifier: requiredText(FIELD_MAX_LENGTH),
  password: requiredText(PASSWORD_MAX_LENGTH),
});

function tooSimilar(password: string, identifier: string): boolean {
  const p = password.toLowerCase();
  const i = identifier.toLowerCase();
  return p.includes(i) || i.includes(p);
}

/** A field that passed its own checks: a non-empty string within the length limit. */
const isValidText = (value: unknown, maxLength: number): value is string =>
  typeof value === "string" && value !== "" && value.length <= maxLength;

/** The password rules compare the password with the email, so they apply once both are valid text. */
const passwordAndEmailTyped = ({ value }: { value: unknown }) => {
  const fields = value as { password?: unknown; traits?: { email?: unknown } };
  return isValidText(fields.password, PASSWORD_MAX_LENGTH) && isValidText(fields.traits?.email, FIELD_MAX_LENGTH);
};

const RegistrationFields = z
  .object({
    method,
    // A form without traits (or with traits that are not an object) is missing traits.email.
    traits: z.preprocess(
      (traits) => (typeof traits === "object" && traits !== null ? traits : {}),
      z.object({
        email: requiredText(FIELD_MAX_LENGTH).refine(
          (email) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(normaliseEmail(email)),
          "not_an_email",
        ),
      }),
    ),
    password: requiredText(PASSWORD_MAX_LENGTH),
  })
  .refine(({ password }) => [...password].length >= PASSWORD_MIN_LENGTH, {
    message: "too_short",
    path: ["password"],
    when: passwordAndEmailTyped,
  })
  .refine(({ password, traits }) => [...password].length < PASSWORD_MIN_LENGTH || !tooSimilar(password, traits.email), {
    message: "like_identifier",
    path: ["password"],
    when: passwordAndEmailTyped,
  });

type Credentials = { identifier: string; password: string };

function messageFor(kind: FlowKind, issue: z.core.$ZodIssue, fields: Record<string, unknown>): UiText {
  const name = issue.path.join(".");
  const password = typeof fields.password === "string" ? fields.password : "";
  switch (issue.message as RuleKey) {
    case "missing":
      return text.missing(name);
    case "not_a_string":
      return text.notAString();
    case "too_long":
      return name === "password" ? text.passwordTooLong() : text.tooLong();
    case "not_an_email":
      return text.notAnEmail(String((fields.traits as { email?: unknown }).email));
    case "too_short":
      return text.passwordTooShort([...password].length);
    case "like_identifier":
      return text.passwordLikeIdentifier();
    case "no_strategy":
      return text.noStrategy(kind);
  }
}

/** The identifier as typed, echoed back to the form (never the password). */
function typedIdentifier(kind: FlowKind, fields: Record<string, unknown>): Record<string, string> {
  const raw = kind === "login" ? fields.identifier : (fields.traits as { email?: unknown } | undefined)?.email;
  return isValidText(raw, FIELD_MAX_LENGTH) ? { [IDENTIFIER_FIELD[kind]]: raw } : {};
}

/** The clean credentials, or the messages the form shows. */
function validate(
  kind: FlowKind,
  fields: Record<string, unknown>,
): { ok: true; value: Credentials } | { ok: false; ui: FlowUi } {
  if (kind === "login") {
    const parsed = LoginFields.safeParse(fields);
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, ui: uiFor(kind, parsed.error, fields) };
  }
  const parsed = RegistrationFields.safeParse(fields);
  if (parsed.success)
    return { ok: true, value: { identifier: parsed.data.traits.email, password: parsed.data.password } };
  return { ok: false, ui: uiFor(kind, parsed.error, fields) };
}

function uiFor(kind: FlowKind, error: z.ZodError, fields: Record<string, unknown>): FlowUi {
  const ui: FlowUi = { messages: [], fieldMessages: {}, values: typedIdentifier(kind, fields) };
  for (const issue of error.issues) {
    const message = messageFor(kind, issue, fields);
    if (issue.path.length === 1 && issue.path[0] === "method") ui.messages.push(message);
    else ui.fieldMessages[issue.path.join(".")] ??= [message];
  }
  return ui;
}

/** What the route read off the request, besides the flow itself. */
export type Submission = {
  /** The form's fields (JSON, or a form with dotted names nested). */
  fields: Record<string, unknown>;
  /** The browser's CSRF tokens (its cookie's values); browser flows only. */
  csrfCookies: readonly string[];
  /** The active session the request already holds, and its token. */
  current: { session: SessionWithIdentity; token: string } | undefined;
  device: Device;
  /** What marks the request as a browser's: an Origin header; cookies (other than a CDN's own). */
  browser: { origin: boolean; cookies: boolean };
};

export type SubmissionResult =
  | { outcome: "invalid"; flow: SelfServiceFlow; ui: FlowUi }
  /** Signed in: a new session, or, for a re-authentication flow, the same session refreshed (same token). */
  | { outcome: "signed-in"; flow: SelfServiceFlow; session: SessionWithIdentity; token: string };

const rejected = (flow: SelfServiceFlow, ui: FlowUi): SubmissionResult => ({ outcome: "invalid", flow, ui });

/**
 * Submits a usable flow (see findUsableFlow). Checked before anything is written: CSRF (browser
 * flows), not signed in already (unless the flow re-authenticates), not completed already. Then the
 * form: invalid input or credentials come back as messages and change nothing; success signs the
 * user in, or refreshes the session a re-authentication flow is for.
 */
export async function submitFlow(
  kind: FlowKind,
  flow: SelfServiceFlow,
  submission: Submission,
): Promise<SubmissionResult> {
  const { fields, current } = submission;
  if (flow.type === "browser") verifyCsrf(flow, fields.csrf_token, submission.csrfCookies);
  // An API flow has no CSRF token to check, so it must not be driven by a browser: a page on
  // another site could make one post it with the user's cookies (Kratos refuses these too).
  else if (submission.browser.origin) throw apiFlowFromBrowser("Origin");
  else if (submission.browser.cookies) throw apiFlowFromBrowser("Cookie");
  // A refresh flow whose session ended meanwhile is an ordinary sign-in, as in Kratos.
  const reauthenticating = flow.refresh && current !== undefined;
  if (current && !reauthenticating) throw sessionAlreadyAvailable();
  if (flow.state !== "choose_method") throw flowAlreadyCompleted(kind);

  const validation = validate(kind, fields);
  if (!validation.ok) return rejected(flow, validation.ui);
  const { identifier, password } = validation.value;
  const values = { [IDENTIFIER_FIELD[kind]]: identifier };

  let identity;
  const address = submission.device.ipAddress;
  if (kind === "login") {
    // Refused before the password is hashed: a guesser costs us nothing once throttled.
    await assertSignInAllowed(identifier, address);
    identity = await verifyCredentials(identifier, password);
    // Re-authentication proves the signed-in identity again and no other. (Kratos would sign a
    // different identity in with a new session; here the flow is for this session only.)
    const wrongIdentity = reauthenticating && identity?.id !== current.session.identityId;
    if (!identity || wrongIdentity) {
      await recordSignInFailure(identifier, address);
      return rejected(flow, { ...EMPTY_UI, messages: [text.invalidCredentials()], values });
    }
    await clearSignInFailures(identifier);
    if (reauthenticating) {
      const session = await reauthenticateSession(current.session, "password");
      if (!session) throw sessionInactive();
      const completed = await completeFlow(flow);
      return { outcome: "signed-in", flow: completed, session, token: current.token };
    }
  } else {
    await countRegistration(address);
    try {
      identity = await createIdentity(identifier, password);
    } catch (error) {
      if (error instanceof DuplicateIdentityError) {
        return rejected(flow, { ...EMPTY_UI, messages: [text.duplicate()], values });
      }
      throw error;
    }
  }

  // Registration signs the user in, as Kratos's session hook does.
  const { session, token } = await createSession(identity, submission.device);
  return { outcome: "signed-in", flow: await completeFlow(flow), session, token };
}

function completeFlow(flow: SelfServiceFlow): Promise<SelfServiceFlow> {
  return db().selfServiceFlow.update({ where: { id: flow.id }, data: { state: "passed_challenge", ui: null } });
}

/**
 * A browser that posted an HTML form is sent back to the form page, which can only show why if the
 * flow remembers it. JSON and API clients get the messages in the answer, and nothing is written.
 */
export async function rememberFailedSubmission(flow: SelfServiceFlow, ui: FlowUi): Promise<void> {
  await db().selfServiceFlow.update({ where: { id: flow.id }, data: { ui: JSON.stringify(ui) } });
}

/**
 * The body of a successful submission, per flow kind and type (Kratos's Successful* objects). A
 * browser flow submitted as JSON also says where the browser goes next (`continue_with`), which is
 * how Ory Elements leaves the form.
 */
export function successJson(
  kind: FlowKind,
  result: Extract<SubmissionResult, { outcome: "signed-in" }>,
): SuccessfulLoginJson | SuccessfulRegistrationJson {
  const session = sessionJson(result.session);
  const identity = kind === "registration" ? { identity: identityJson(result.session.identity) } : {};
  if (result.flow.type === "api") return { ...identity, session_token: result.token, session };
  const next = { action: "redirect_browser_to" as const, redirect_browser_to: returnUrlAfter(result.flow).href };
  return { ...identity, session, continue_with: [next] } as SuccessfulLoginJson | SuccessfulRegistrationJson;
}
