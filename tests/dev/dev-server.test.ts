// `npm run dev` serves through server.mjs as production does, so development answers carry the same
// headers: what a developer sees is what users get. (One dev server per checkout: Next locks it.)

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../scripts/serve.mjs";
import { freePort, startServerApp, type ServerApp } from "../support/app";
import { NO_CACHE } from "../support/client";

let production: ServerApp;
let dev: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  production = await startServerApp();
  dev = await startServer({
    dev: true,
    timeoutMs: 90_000,
    env: {
      ...process.env,
      NODE_ENV: "development",
      PORT: String(await freePort()),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: production.database.url,
    },
  });
}, 120_000);

afterAll(async () => {
  await dev?.stop();
  await production?.stop();
});

describe("npm run dev", () => {
  it.each(["/sessions/whoami", "/self-service/logout/browser"])(
    "%s answers with the same status and headers as the production server",
    async (path) => {
      for (const url of [production.url, dev.url]) {
        const response = await fetch(new URL(path, url), { headers: { accept: "application/json" } });
        await expect(response).toHaveStatus(401);
        expect(response.headers.get("vary"), url).toBe("Cookie");
        expect(response.headers.get("cache-control"), url).toBe(NO_CACHE);
        expect(response.headers.get("content-type"), url).toBe("application/json; charset=utf-8");
        expect(response.headers.get("x-content-type-options"), url).toBe("nosniff");
        expect(response.headers.get("x-frame-options"), url).toBe("DENY");
      }
    },
  );
});
