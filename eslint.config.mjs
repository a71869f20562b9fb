import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // Plain <a> on purpose. Every page depends on the session cookie, so a full navigation that
      // renders on the server with the current cookie is what we want, and <Link> prefetching is
      // exactly what must never happen to a logout URL. One way to link, everywhere.
      "@next/next/no-html-link-for-pages": "off",
    },
  },
  {
    // The domain knows nothing of HTTP or Next.js: plain values in, plain values or KratosError out.
    files: ["lib/server/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["next", "next/*", "react", "react-dom"],
              message: "lib/server/ is plain TypeScript, free of Next.js.",
            },
            {
              group: ["@/lib/http/*", "../../http/*", "../http/*"],
              message: "lib/server/ must not depend on the HTTP edge.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-restricted-types": [
        "error",
        {
          types: {
            Request: "lib/server/ takes plain values; the route reads the request.",
            Response: "lib/server/ returns plain values; the route builds the answer.",
            Headers: "lib/server/ takes plain values; the route reads the headers.",
          },
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "Request", message: "lib/server/ takes plain values; the route reads the request." },
        { name: "Response", message: "lib/server/ returns plain values; the route builds the answer." },
        { name: "Headers", message: "lib/server/ takes plain values; the route reads the headers." },
      ],
    },
  },
  globalIgnores([
    ".next/**",
    "next-env.d.ts",
    "lib/server/database/generated/**",
    "playwright-report/**",
    "test-results/**",
    "bench-results/**",
  ]),
]);
