// A minimal browser stand-in for integration tests: a cookie jar, no automatic redirects, and
// helpers that sign up or sign in through the real flows.

import { parseSetCookie } from "cookie";
import { NO_CACHE_HEADERS } from "@/lib/http/responses";
import type { FlowJson } from "@/lib/server/flows/flow-ui";
import type { App } from "./app";
import { signedIn, type SignedIn } from "./sessions";

export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const { name, value = "", maxAge } = parseSetCookie(header);
      if (maxAge !== undefined && maxAge <= 0) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  delete(name: string): void {
    this.#cookies.delete(name);
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

export type RequestOptions = Omit<RequestInit, "body" | "headers"> & {
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
};

export class Client {
  readonly jar = new CookieJar();

  constructor(readonly app: App) {}

  async request(pathOrUrl: string, options: RequestOptions = {}): Promise<Response> {
    const { json, form, headers = {}, ...init } = options;
    const cookie = this.jar.header();
    const finalHeaders: Record<string, string> = { ...(cookie ? { Cookie: cookie } : {}), ...headers };
    let body = init.body;
    if (json !== undefined) {
      body = JSON.stringify(json);
      finalHeaders["Content-Type"] ??= "application/json";
    } else if (form !== undefined) {
      body = new URLSearchParams(form).toString();
      finalHeaders["Content-Type"] ??= "application/x-www-form-urlencoded";
    }
    const method = init.method ?? (body === undefined ? "GET" : "POST");
    const response = await this.app.fetch(pathOrUrl, { ...init, method, body, headers: finalHeaders });
    this.jar.store(response);
    return response;
  }

  /** GET with Accept: application/json. */
  getJson(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers: { Accept: "application/json", ...headers } });
  }
}

/** A login or registration flow as the app answers it: Kratos's own model (lib/server/kratos-json.ts). */
export type Flow = FlowJson;

/** The flow's input nodes, by name, with their attributes narrowed to an input's. */
export function inputNodes(flow: Flow) {
  return Object.fromEntries(
    flow.ui.nodes.flatMap((node) =>
      node.attributes.node_type === "input" ? [[node.attributes.name, { ...node, attributes: node.attributes }]] : [],
    ),
  );
}

/** The flow's action as a path, so it works whatever PUBLIC_BASE_URL the app was started with. */
export function actionPath(flow: Flow): string {
  const url = new URL(flow.ui.action);
  return url.pathname + url.search;
}

export function csrfTokenOf(flow: Flow): string {
  const token: unknown = inputNodes(flow).csrf_token?.attributes.value;
  if (typeof token !== "string") throw new Error("flow has no csrf_token node");
  return token;
}

/** Starts a browser flow as a JSON client (SPA or curl -H 'Accept: application/json'). */
export async function browserFlow(client: Client, kind: "login" | "registration", query = ""): Promise<Flow> {
  const response = await client.getJson(`/self-service/${kind}/browser${query}`);
  if (response.status !== 200) throw new Error(`init ${kind}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Flow;
}

const PASSWORD = "correct horse battery staple";

/** Submits a browser flow as a JSON client, with the flow's CSRF token. */
async function submitBrowserFlow(client: Client, kind: "login" | "registration", fields: Record<string, unknown>) {
  const flow = await browserFlow(client, kind);
  return client.request(actionPath(flow), {
    headers: { Accept: "application/json" },
    json: { method: "password", ...fields, csrf_token: csrfTokenOf(flow) },
  });
}

/** Registers through a browser flow (JSON); the client ends up signed in with a session cookie. */
export function register(client: Client, email: string, password = PASSWORD): Promise<Response> {
  return submitBrowserFlow(client, "registration", { traits: { email }, password });
}

/** Signs in through a browser flow (JSON), as the curl script in the reference documents does. */
export function signIn(client: Client, email: string, password = PASSWORD): Promise<Response> {
  return submitBrowserFlow(client, "login", { identifier: email, password });
}

/** Posts the sign-in form as a browser does (form-encoded, no Accept: application/json). */
export async function signInWithForm(client: Client, email: string, password: string) {
  const flow = await browserFlow(client, "login");
  const response = await client.request(actionPath(flow), {
    form: { identifier: email, password, method: "password", csrf_token: csrfTokenOf(flow) },
  });
  return { flow, response };
}

/** Another device of a user: a native sign-in, answering with its session token. */
export async function signInNative(app: App, email: string, password = PASSWORD, headers: Record<string, string> = {}) {
  const client = new Client(app);
  const flow = (await (await client.getJson("/self-service/login/api")).json()) as Flow;
  const response = await client.request(actionPath(flow), {
    headers,
    json: { method: "password", identifier: email, password },
  });
  if (response.status !== 200) throw new Error(`native sign-in: ${response.status} ${await response.text()}`);
  return (await response.json()) as { session_token: string; session: { id: string } };
}

/** The keys of Kratos's Session object, sorted: what whoami and the sessions list answer with. */
export const SESSION_KEYS = [
  "active",
  "authenticated_at",
  "authentication_methods",
  "authenticator_assurance_level",
  "devices",
  "expires_at",
  "id",
  "identity",
  "issued_at",
];

/** Registers through an API flow and returns the session token (a native app's sign-up). */
export async function registerNative(app: App, email: string, password = PASSWORD) {
  const client = new Client(app);
  const flow = (await (await client.getJson("/self-service/registration/api")).json()) as Flow;
  const response = await client.request(actionPath(flow), {
    json: { method: "password", traits: { email }, password },
  });
  if (response.status !== 200) throw new Error(`native registration: ${response.status} ${await response.text()}`);
  return (await response.json()) as { session_token: string; session: { id: string }; identity: { id: string } };
}

let counter = 0;
/** A unique address per call, so tests never collide. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Date.now()}@example.com`;
}

/** What every self-service and session answer says in Cache-Control (SPEC section 1; see tests/unit/responses.test.ts). */
export const NO_CACHE = NO_CACHE_HEADERS["Cache-Control"];

/** The status of GET /sessions/whoami with these headers. */
export async function whoamiStatus(app: App, headers: Record<string, string>): Promise<number> {
  const response = await app.fetch("/sessions/whoami", { headers });
  await response.arrayBuffer();
  return response.status;
}

/** The logout URL of a signed-in browser, as a path. */
export async function logoutPath(app: App, cookie: string): Promise<string> {
  const response = await app.fetch("/self-service/logout/browser", { headers: { cookie } });
  if (response.status !== 200) throw new Error(`logout URL: ${response.status} ${await response.text()}`);
  const url = new URL(((await response.json()) as { logout_url: string }).logout_url);
  return url.pathname + url.search;
}

/** A browser holding a fresh session's cookie (made by the session fixtures, no password step). */
export async function signedInBrowser(app: App): Promise<{ client: Client; session: SignedIn }> {
  const session = await signedIn();
  const client = new Client(app);
  const [name = "", value = ""] = session.cookie.split(/=(.*)/s);
  client.jar.set(name, value);
  return { client, session };
}
