import type { FlowJson } from "@/lib/server/flows/flow-ui";

/** A login or registration form rendered from the flow's `ui` nodes, posting to `ui.action`. */
export function FlowForm({ flow }: { flow: FlowJson }) {
  const { ui } = flow;
  return (
    <form action={ui.action} method={ui.method} noValidate={false}>
      {ui.messages?.map((message) => (
        <p key={message.id} className={`message ${message.type}`} role={message.type === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      ))}
      {ui.nodes.map((node) => {
        // This app's flows have input nodes only.
        if (node.attributes.node_type !== "input") return null;
        const { name, type, value, required, autocomplete } = node.attributes;
        if (type === "hidden") return <input key={name} type="hidden" name={name} value={value} />;
        if (type === "submit") {
          return (
            <button key={name} className="button" type="submit" name={name} value={value}>
              {node.meta.label?.text ?? "Submit"}
            </button>
          );
        }
        const id = `field-${name.replace(/\W/g, "-")}`;
        const errorId = `${id}-error`;
        const hasError = node.messages.length > 0;
        return (
          <div key={name}>
            <label htmlFor={id}>
              {name === "traits.email" || name === "identifier" ? "Email" : node.meta.label?.text}
            </label>
            <input
              id={id}
              name={name}
              type={type}
              defaultValue={value}
              required={required}
              autoComplete={autocomplete}
              aria-invalid={hasError || undefined}
              aria-describedby={hasError ? errorId : undefined}
            />
            {node.messages.map((message) => (
              <p key={message.id} id={errorId} className="field-error">
                {message.text}
              </p>
            ))}
          </div>
        );
      })}
    </form>
  );
}
