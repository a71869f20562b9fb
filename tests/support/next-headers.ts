// Stands in for `next/headers` when route handlers are called in-process (tests/support/app.ts):
// Next.js gives `headers()` the current request from its own request scope; here the in-process
// app runs each request inside `requestScope`. Kept on globalThis so that every copy of this module
// (vi.resetModules makes new ones) shares one scope.

import { AsyncLocalStorage } from "node:async_hooks";

const key = Symbol.for("tests.next-headers.request-scope");
const global = globalThis as unknown as Record<symbol, AsyncLocalStorage<Request> | undefined>;

export const requestScope: AsyncLocalStorage<Request> = (global[key] ??= new AsyncLocalStorage<Request>());

export async function headers(): Promise<Headers> {
  const request = requestScope.getStore();
  if (!request)
    throw new Error("headers() was called outside a request (in-process tests run requests through app.fetch)");
  return request.headers;
}
