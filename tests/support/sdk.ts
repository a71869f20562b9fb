// The official SDK (@ory/client-fetch) pointed at the app under test, unchanged but for basePath
// (and, for an in-process app, the fetch it uses).

import {
  Configuration,
  FrontendApi,
  IdentityApi,
  ResponseError,
  type ConfigurationParameters,
} from "@ory/client-fetch";
import type { App } from "./app";

function configuration(app: App, parameters: ConfigurationParameters): Configuration {
  const fetchApi: typeof fetch = (input, init) => app.fetch(input instanceof Request ? input.url : input, init);
  return new Configuration({ basePath: app.url, fetchApi, ...parameters });
}

export function frontendApi(app: App, parameters: ConfigurationParameters = {}): FrontendApi {
  return new FrontendApi(configuration(app, parameters));
}

/** The admin API's client; `accessToken` is the admin token (sent as Authorization: Bearer). */
export function identityApi(app: App, parameters: ConfigurationParameters = {}): IdentityApi {
  return new IdentityApi(configuration(app, parameters));
}

/** "resolved", or the HTTP status an SDK call was rejected with. */
export async function statusOf(promise: Promise<unknown>): Promise<number | "resolved"> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    if (error instanceof ResponseError) return error.response.status;
    throw error;
  }
}
