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
  globalIgnores([
    ".next/**",
    "next-env.d.ts",
    "lib/server/database/generated/**",
    "playwright-report/**",
    "test-results/**",
    "bench-results/**",
  ]),
]);
