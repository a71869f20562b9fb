// The one error type the domain throws, and every constructor of it. Its fields are Kratos's error
// envelope ({"error": {id?, code, status, reason?, message}}); lib/http/responses.ts is the one place
// that turns it into a JSON answer or a redirect to the error page.

import { STATUS_CODES } from "node:http";

export type ErrorBody = {
  id?: string;
  code: number;
  status: string;
  reason?: string;
  message: string;
};

export class KratosError extends Error {
  readonly code: number;
  readonly id: string | undefined;
  readonly reason: string | undefined;
  /** For 429 and 503: when trying again makes sense, in seconds (the answer's Retry-After). */
  readonly retryAfterSeconds: number | undefined;
  /**
   * The reason as a stored error (for the error page) says it, where `reason` quotes the request
   * (a return_to, a header) or varies with time: the same words for every such error.
   */
  readonly storedReason: string | undefined;

  constructor(
    code: number,
    message: string,
    options: { id?: string; reason?: string; storedReason?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "KratosError";
    this.code = code;
    this.id = options.id;
    this.reason = options.reason;
    this.storedReason = options.storedReason;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toJSON(): ErrorBody {
    return this.body(this.reason);
  }

  /** The body as it is stored for a browser (lib/server/self-service-errors.ts). */
  toStoredJSON(): ErrorBody {
    return this.body(this.storedReason ?? this.reason);
  }

  private body(reason: string | undefined): ErrorBody {
    return {
      ...(this.id ? { id: this.id } : {}),
      code: this.code,
      status: STATUS_CODES[this.code] ?? "Error",
      ...(reason ? { reason } : {}),
      message: this.message,
    };
  }
}

export const isKratosError = (error: unknown, id: string): error is KratosError =>
  error instanceof KratosError && error.id === id;

const MALFORMED = "The request was malformed or contained invalid parameters";

/** `storedReason`: the words to store for the error page when `reason` quotes the request. */
export const badRequest = (reason: string, storedReason?: string) =>
  new KratosError(400, MALFORMED, { reason, storedReason });

export const forbidden = (reason: string) => new KratosError(403, "The requested action was forbidden", { reason });

export const notFound = (reason: string) =>
  new KratosError(404, "The requested resource could not be found", { reason });

export const payloadTooLarge = (limitBytes: number) =>
  new KratosError(413, "The request body is too large", {
    reason: `The request body must not exceed ${limitBytes} bytes.`,
  });

export const internalError = () =>
  new KratosError(500, "An internal server error occurred, please contact the system administrator", {
    reason: "Something went wrong on our side. Please try again in a moment.",
  });

export const passwordHashingBusy = () =>
  new KratosError(503, "The service is temporarily unavailable", {
    reason: "Too many sign-ins are being checked right now. Please try again in a moment.",
    retryAfterSeconds: 1,
  });

/** Kratos's refusal of an API flow submitted by a browser (ErrOriginHeaderNeedsBrowserFlow and its Cookie twin). */
export const apiFlowFromBrowser = (header: "Origin" | "Cookie") =>
  new KratosError(400, MALFORMED, {
    reason: `The HTTP Request Header included the "${header}" key, indicating that this request was made ${
      header === "Origin" ? "as part of an AJAX request in a Browser" : "by a Browser"
    }. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.`,
  });

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new KratosError(429, "Too many requests", {
    id: "rate_limit_exceeded",
    reason: `Too many attempts. Try again in ${retryAfterSeconds} ${retryAfterSeconds === 1 ? "second" : "seconds"}.`,
    storedReason: "Too many attempts. Wait a few minutes before trying again.",
    retryAfterSeconds,
  });

export const sessionInactive = () =>
  new KratosError(401, "request does not have a valid authentication session", {
    id: "session_inactive",
    reason: "No active session was found in this request.",
  });

export const sessionAlreadyAvailable = () =>
  new KratosError(400, "you are already logged in", {
    id: "session_already_available",
    reason:
      "A valid session was detected and thus this flow is not possible. Sign out first, or use the session you have.",
  });

export const returnToForbidden = (url: string) =>
  new KratosError(400, MALFORMED, {
    id: "self_service_flow_return_to_forbidden",
    reason: `Requested return_to URL "${url}" is not allowed.`,
    storedReason: "The requested return_to URL is not allowed.",
  });

export const flowExpired = (reason: string) =>
  new KratosError(410, "self-service flow expired", {
    id: "self_service_flow_expired",
    reason,
    storedReason: "The self-service flow expired. Start again with a new one.",
  });

export const flowNotFound = (kind: string) =>
  new KratosError(404, "The requested resource could not be found", {
    id: "self_service_flow_not_found",
    reason: `The ${kind} flow could not be found. It may have been completed already; start a new one.`,
  });

export const flowAlreadyCompleted = (kind: string) =>
  new KratosError(400, MALFORMED, {
    id: "self_service_flow_already_completed",
    reason: `This ${kind} flow was completed already; start a new one.`,
  });

/** Kratos's answer for a flow that is turned off: "Recovery is not allowed because it was disabled." */
export const flowDisabled = (flowTitle: string) =>
  new KratosError(400, MALFORMED, {
    id: "self_service_flow_disabled",
    reason: `${flowTitle} is not allowed because it was disabled.`,
  });

export const csrfViolation = () =>
  new KratosError(403, "the request was rejected to protect you from Cross-Site-Request-Forgery", {
    id: "security_csrf_violation",
    reason:
      "Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.",
  });

export const prefetchRefused = () =>
  new KratosError(400, MALFORMED, {
    reason: "Prefetch requests cannot sign out. Open the logout link to sign out.",
  });

/** The admin API without a valid admin token (ADMIN_API_TOKEN as `Authorization: Bearer …`). */
export const adminUnauthorized = () =>
  new KratosError(401, "The request could not be authorized", {
    reason: "This endpoint needs the admin API token: send it as Authorization: Bearer <ADMIN_API_TOKEN>.",
  });

export const methodNotAllowed = (allowed: readonly string[]) =>
  new KratosError(405, "The requested method is not allowed", {
    reason: `This endpoint answers ${allowed.join(", ")}.`,
  });

/** A path that names nothing: the same answer whether it never existed or is turned off. */
export const unknownPath = () => new KratosError(404, "The requested resource could not be found");

export const tooManyStreams = (limit: number) =>
  new KratosError(429, "too many requests", {
    reason: `This session already has ${limit} open event streams. Close one (a browser needs only one) and try again.`,
    retryAfterSeconds: 10,
  });
