import type { Metadata } from "next";
import { FlowPage } from "@/app/_components/flow-page";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ flow?: string }> }) {
  const { flow } = await searchParams;
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <FlowPage kind="login" flowId={flow} />
      <p className="muted">
        No account yet? <a href="/registration">Create one</a>
      </p>
    </section>
  );
}
