// A small UI made of Ory's own published components (@ory/elements-react), served on a second
// origin (serve.mjs) and pointed at this app exactly as it would be pointed at Kratos: the SDK URL
// is the app's public URL, and every call is a credentialed cross-origin fetch (CORS_ALLOWED_ORIGINS).

import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import type { OryClientConfiguration } from "@ory/elements-react";
import { Login, Registration } from "@ory/elements-react/theme";
import "@ory/elements-react/theme/styles.css";
import { useEffect, useState, type ComponentProps, type ReactNode } from "react";
import { createRoot } from "react-dom/client";

declare global {
  interface Window {
    /** The app's PUBLIC_BASE_URL, written into the page by serve.mjs. */
    ORY_SDK_URL: string;
  }
}

const sdkUrl = window.ORY_SDK_URL;
const ui = window.location.origin;
const frontend = new FrontendApi(
  new Configuration({ basePath: sdkUrl, credentials: "include", headers: { Accept: "application/json" } }),
);

const config: OryClientConfiguration = {
  sdk: { url: sdkUrl, options: { credentials: "include" } },
  project: {
    name: "Kratos-style logout",
    default_redirect_url: `${ui}/`,
    login_ui_url: `${ui}/login`,
    registration_ui_url: `${ui}/registration`,
    error_ui_url: `${ui}/error`,
    registration_enabled: true,
    recovery_enabled: false,
    verification_enabled: false,
    recovery_ui_url: `${ui}/recovery`,
    settings_ui_url: `${ui}/settings`,
    verification_ui_url: `${ui}/verification`,
  },
};

/** Loads a flow by the `?flow=` id, or starts one at the app's init endpoint (which sends the browser back here). */
function useFlow<Flow>(kind: "login" | "registration", get: (id: string) => Promise<Flow>): Flow | undefined {
  const [flow, setFlow] = useState<Flow>();
  useEffect(() => {
    // The app's init endpoint on the other origin (this page is no part of the Next.js app).
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    const restart = () => window.location.assign(`${sdkUrl}/self-service/${kind}/browser`);
    const id = new URLSearchParams(window.location.search).get("flow");
    if (!id) return restart();
    get(id).then(setFlow, restart);
  }, [kind, get]);
  return flow;
}

// Elements bundles its own copy of the SDK's types; the JSON is the same.
type LoginFlow = ComponentProps<typeof Login>["flow"];
type RegistrationFlow = ComponentProps<typeof Registration>["flow"];
const getLoginFlow = async (id: string) => (await frontend.getLoginFlow({ id })) as unknown as LoginFlow;
const getRegistrationFlow = async (id: string) =>
  (await frontend.getRegistrationFlow({ id })) as unknown as RegistrationFlow;

function LoginPage() {
  const flow = useFlow("login", getLoginFlow);
  return flow ? <Login flow={flow} config={config} /> : <p>Loading…</p>;
}

function RegistrationPage() {
  const flow = useFlow("registration", getRegistrationFlow);
  return flow ? <Registration flow={flow} config={config} /> : <p>Loading…</p>;
}

/** The session page: who is signed in (whoami), and a Log out link built from the app's logout_url. */
function HomePage() {
  const [state, setState] = useState<{ email: string; sessionId: string; logoutUrl: string } | "signed-out">();
  useEffect(() => {
    (async () => {
      try {
        const session = await frontend.toSession();
        const { logout_url } = await frontend.createBrowserLogoutFlow();
        setState({ email: session.identity?.traits.email, sessionId: session.id, logoutUrl: logout_url });
      } catch (error) {
        if (error instanceof ResponseError && error.response.status === 401) setState("signed-out");
        else throw error;
      }
    })();
  }, []);
  if (!state) return <p>Loading…</p>;
  if (state === "signed-out") {
    return (
      <section>
        <h1>Signed out</h1>
        <a href="/login">Sign in</a>
      </section>
    );
  }
  return (
    <section>
      <h1>Welcome</h1>
      <p data-testid="email">{state.email}</p>
      <p data-testid="session-id">{state.sessionId}</p>
      <a href={state.logoutUrl}>Log out</a>
    </section>
  );
}

function ErrorPage() {
  const [message, setMessage] = useState<string>();
  useEffect(() => {
    const id = new URLSearchParams(window.location.search).get("id") ?? "";
    frontend.getFlowError({ id }).then(
      ({ error }) => setMessage(String((error as { reason?: string }).reason ?? "")),
      () => setMessage("Unknown error"),
    );
  }, []);
  return (
    <section>
      <h1>Error</h1>
      <p data-testid="error-reason">{message}</p>
    </section>
  );
}

const PAGES: Record<string, () => ReactNode> = {
  "/": HomePage,
  "/login": LoginPage,
  "/registration": RegistrationPage,
  "/error": ErrorPage,
};

const Page = PAGES[window.location.pathname] ?? (() => <p>Not found</p>);
createRoot(document.getElementById("root")!).render(<Page />);
