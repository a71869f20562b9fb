import type { Metadata } from "next";
import { FlowPage } from "@/app/_components/flow-page";

export const metadata: Metadata = { title: "Create an account" };

export default async function RegistrationPage({ searchParams }: { searchParams: Promise<{ flow?: string }> }) {
  const { flow } = await searchParams;
  return (
    <section className="card narrow">
      <h1>Create an account</h1>
      <FlowPage kind="registration" flowId={flow} />
      <p className="muted">
        Already have an account? <a href="/login">Sign in</a>
      </p>
    </section>
  );
}
