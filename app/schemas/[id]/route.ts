import { notFound } from "@/lib/server/errors";
import { handler } from "@/lib/http/handler";

// The one identity schema this app has; `schema_url` in identities points here, as in Kratos.
const DEFAULT_SCHEMA = {
  $id: "default",
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Person",
  type: "object",
  properties: {
    traits: {
      type: "object",
      properties: {
        email: {
          type: "string",
          format: "email",
          title: "E-Mail",
          "ory.sh/kratos": { credentials: { password: { identifier: true } } },
        },
      },
      required: ["email"],
      additionalProperties: false,
    },
  },
};

/** GET /schemas/{id} — the id is the schema id, base64url-encoded ("default" → ZGVmYXVsdA). */
export const GET = handler(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (Buffer.from(id, "base64url").toString() !== "default" && id !== "default")
    throw notFound("No such identity schema.");
  return Response.json(DEFAULT_SCHEMA);
});
