// Serves e2e/ory-elements/app.tsx, bundled at start with esbuild, on its own origin: the "second
// origin" UI of e2e/ory-elements.spec.ts. Every page is the same shell; the app picks by path.
//
//   ORY_SDK_URL=http://localhost:3102 PORT=3103 node e2e/ory-elements/serve.mjs

import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const port = Number(process.env.PORT ?? 3103);
const sdkUrl = process.env.ORY_SDK_URL ?? "http://localhost:3000";

const { outputFiles } = await build({
  entryPoints: [fileURLToPath(new URL("app.tsx", import.meta.url))],
  bundle: true,
  write: false,
  outdir: "/",
  format: "esm",
  jsx: "automatic",
  minify: true,
  // Browser code: Ory Elements reads a few process.env values to guess its SDK URL.
  define: { "process.env": JSON.stringify({ NODE_ENV: "production" }) },
  logLevel: "warning",
});
const assets = Object.fromEntries(outputFiles.map((file) => [file.path, file.contents]));

const shell = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Ory Elements against the app</title>
    <link rel="stylesheet" href="/app.css" />
    <script>window.ORY_SDK_URL = ${JSON.stringify(sdkUrl)};</script>
    <script type="module" src="/app.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>`;

const TYPES = { "/app.js": "text/javascript", "/app.css": "text/css" };

createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://ui").pathname;
  if (assets[path]) {
    response.writeHead(200, { "Content-Type": TYPES[path] });
    return response.end(assets[path]);
  }
  if (path === "/health") return response.end("ok");
  response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  response.end(shell);
}).listen(port, "127.0.0.1", () => console.log(`Ory Elements UI on http://localhost:${port}, SDK ${sdkUrl}`));
