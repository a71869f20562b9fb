// The one error type the domain throws. Its fields are Kratos's error envelope
// ({"error": {id?, code, status, reason?, message}}); app/_server/responses.ts is the one place that
// turns it into a JSON answer or a browser redirect to the error page.

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  410: "Gone",
  413: "Payload Too Large",
  500: "Internal Server Error",
};

export type ErrorBody = {
  id?: string;
  code: number;
  status: string;
  reason?: string;
  message: string;
};

export class HttpError extends Error {
  readonly code: number;
  readonly id: string | undefined;
  readonly reason: string | undefined;

  constructor(code: number, message: string, options: { id?: string; reason?: string } = {}) {
    super(message);
    this.name = "HttpError";
    this.code = code;
    this.id = options.id;
    this.reason = options.reason;
  }

  toJSON(): ErrorBody {
    return {
      ...(this.id ? { id: this.id } : {}),
      code: this.code,
      status: STATUS_TEXT[this.code] ?? "Error",
      ...(this.reason ? { reason: this.reason } : {}),
      message: this.message,
    };
  }
}

export const badRequest = (reason: string) =>
  new HttpError(400, "The request was malformed or contained invalid parameters", { reason });

export const forbidden = (reason: string) =>
  new HttpError(403, "The requested action was forbidden", { reason });

export const notFound = (reason: string) =>
  new HttpError(404, "The requested resource could not be found", { reason });

export const payloadTooLarge = (limitBytes: number) =>
  new HttpError(413, "The request body is too large", { reason: `The request body must not exceed ${limitBytes} bytes.` });

export const sessionInactive = () =>
  new HttpError(401, "request does not have a valid authentication session", {
    id: "session_inactive",
    reason: "No active session was found in this request.",
  });

export const sessionAlreadyAvailable = () =>
  new HttpError(400, "you are already logged in", {
    id: "session_already_available",
    reason: "A valid session was detected and thus this flow is not possible. Sign out first, or use the session you have.",
  });

export const returnToForbidden = (url: string) =>
  new HttpError(400, "The request was malformed or contained invalid parameters", {
    id: "self_service_flow_return_to_forbidden",
    reason: `Requested return_to URL "${url}" is not allowed.`,
  });

export const flowExpired = (reason: string) =>
  new HttpError(410, "self-service flow expired", { id: "self_service_flow_expired", reason });

export const csrfViolation = () =>
  new HttpError(403, "the request was rejected to protect you from Cross-Site-Request-Forgery", {
    id: "security_csrf_violation",
    reason:
      "Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.",
  });

export const internalError = () =>
  new HttpError(500, "An internal server error occurred, please contact the system administrator", {
    reason: "Something went wrong on our side. Please try again in a moment.",
  });
