import type { Metadata } from "next";
import { SignOutLink } from "@/app/_components/sign-out-link";
import { getCurrentSession } from "@/lib/http/current-session";
import type { ErrorBody } from "@/lib/server/errors";
import { findError } from "@/lib/server/self-service-errors";

export const metadata: Metadata = { title: "Something went wrong" };

/** The stored error in words a person understands. */
function explain(error: ErrorBody | undefined): { title: string; text: string } {
  if (!error) {
    return {
      title: "We could not find that error",
      text: "The error may have been cleaned up already. Start again from the home page.",
    };
  }
  switch (error.id) {
    case "self_service_flow_expired":
      return {
        title: "This link has expired",
        text: "For your security, sign-out links and forms only work for a short time. Use a fresh one.",
      };
    case "session_inactive":
      return {
        title: "You are not signed in",
        text: "There is no active session in this browser, so there was nothing to do.",
      };
    case "self_service_flow_return_to_forbidden":
      return {
        title: "That return address is not allowed",
        text: "The link asked to send you to a site this app does not trust, so it stopped.",
      };
    case "security_csrf_violation":
      return {
        title: "We could not verify that form",
        text: "The form was sent from a page we cannot verify, or it is out of date. Reload the page and try again.",
      };
    case "self_service_flow_disabled":
      return {
        title: "This is not available here",
        text: "This app offers sign-in, registration and sign-out; account settings, account recovery and address verification are turned off.",
      };
    case "rate_limit_exceeded":
      return {
        title: "Too many attempts",
        text: "For your security, this was refused for now. Wait a few minutes, then try again.",
      };
    case "session_already_available":
      return { title: "You are already signed in", text: "Sign out first if you want to use another account." };
  }
  if (error.code === 403) {
    return {
      title: "This link is not valid for you",
      text: "The sign-out link is damaged or belongs to another session. Nothing was changed.",
    };
  }
  if (error.code >= 500) return { title: "Something went wrong on our side", text: "Please try again in a moment." };
  // Fixed words only: a reason may quote what the request carried (a return_to), and a link could
  // carry anything ("Your account is locked, call …"); this page must only ever say what we wrote.
  return { title: "That did not work", text: "The request could not be completed. Start again from the home page." };
}

export default async function ErrorPage({ searchParams }: { searchParams: Promise<{ id?: string }> }) {
  const { id } = await searchParams;
  const stored = id ? await findError(id) : undefined;
  const session = await getCurrentSession();
  const { title, text } = explain(stored?.error);

  return (
    <section className="card narrow" data-testid="error-page" aria-labelledby="error-heading">
      <h1 id="error-heading">{title}</h1>
      <p>{text}</p>
      {session && (
        <div className="message info">
          <p>
            You are still signed in as <strong>{session.identity.email}</strong>. Sign out with a fresh link:
          </p>
          <SignOutLink>Sign out now</SignOutLink>
        </div>
      )}
      <p>
        <a href="/">Go to the home page</a>
      </p>
      {stored && (
        <details>
          <summary>Technical details</summary>
          <pre>
            {JSON.stringify({ id: stored.error.id, code: stored.error.code, status: stored.error.status }, null, 2)}
          </pre>
        </details>
      )}
    </section>
  );
}
