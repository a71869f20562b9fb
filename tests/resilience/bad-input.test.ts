// A generated corpus of malformed requests across every endpoint: none may cause a 5xx, and none
// may change a row. The one expected write: a browser (non-JSON) request that fails is stored as
// a self-service error for the error page (SPEC §1, "Browser errors"), once per kind of error, so
// that table may gain a few rows; its existing rows must stay as they were.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerApp, type ServerApp } from "../support/app";
import { actionPath, browserFlow, Client, logoutPath, type Flow } from "../support/client";
import { signedInSessions, type SignedIn } from "../support/sessions";

let app: ServerApp;
let signedIn: SignedIn;
let revoked: SignedIn;
let logoutQuery: string;
let browserLoginFlow: Flow;
let apiLoginFlow: Flow;

beforeAll(async () => {
  app = await startServerApp();
  [signedIn, revoked] = (await signedInSessions(2)) as [SignedIn, SignedIn];
  await app.db.session.update({ where: { id: revoked.id }, data: { active: false, revokedAt: new Date() } });
  logoutQuery = (await logoutPath(app, signedIn.cookie)).split("?")[1] ?? "";
  browserLoginFlow = await browserFlow(new Client(app), "login");
  apiLoginFlow = (await (await app.fetch(`/self-service/login/api`)).json()) as Flow;
  // One stored error, to prove existing rows of that table are left alone.
  await app.fetch(`/self-service/logout`, { redirect: "manual" });
});
afterAll(() => app?.stop());

type Case = {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  browser?: boolean;
};

const WEIRD = [
  "",
  " ",
  "%00",
  "%0d%0a",
  "%0D%0ASet-Cookie:%20x=y",
  "%",
  "%zz",
  "%ED%A0%80",
  "%FF%FE",
  "%C3%A9%C3%A9",
  encodeURIComponent("😀\u202e\uFEFF"),
  encodeURIComponent("a".repeat(6000)),
  "..%2F..%2Fetc%2Fpasswd",
  encodeURIComponent("<script>alert(1)</script>"),
  encodeURIComponent("' OR 1=1 --"),
  "null",
  "%5B%5D",
  "%7B%7D",
  encodeURIComponent("javascript:alert(1)"),
  encodeURIComponent("https://evil.example/"),
  encodeURIComponent("//evil.example"),
  encodeURIComponent("https://user:pw@127.0.0.1/"),
  encodeURIComponent("http://["),
  "%09",
  encodeURIComponent("ory_st_" + "a".repeat(32)),
  encodeURIComponent("Fe26.2**a*b*c*d*e*f"),
  encodeURIComponent("a.b"),
  encodeURIComponent("A".repeat(32) + "." + "B".repeat(43)),
];

const BODIES: (string | Uint8Array<ArrayBuffer>)[] = [
  "",
  "{",
  "}",
  "[]",
  "null",
  "1",
  '"x"',
  "true",
  '{"session_token":1}',
  '{"session_token":null}',
  '{"session_token":["ory_st_x"]}',
  '{"session_token":{"$ne":""}}',
  '{"__proto__":{"admin":true}}',
  '{"session_token":"ory_st_\u0000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}',
  '{"identifier":1,"password":[]}',
  '{"method":"password","traits":"x"}',
  "[".repeat(5000) + "]".repeat(5000),
  `{"a":"${"x".repeat(20_000)}"}`,
  "x".repeat(100_000),
  "session_token=%zz&a",
  "traits.email=&password=&method=password",
  "\uFEFF{}",
  new Uint8Array([0xff, 0xfe, 0xfd, 0x7b, 0x7d]),
  new Uint8Array([0xc3, 0x28]),
  '{"a":1}{"b":2}',
  "{'a':1}",
];

const CONTENT_TYPES = [
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "application/xml",
  "",
  "application/json, text/html",
  "*/*",
];

const CREDENTIAL_HEADERS: Record<string, string>[] = [
  { cookie: "ory_kratos_session=garbage" },
  { cookie: "ory_kratos_session=Fe26.2**x*y*z" },
  { cookie: `ory_kratos_session=${"A".repeat(7000)}` },
  { cookie: "ory_kratos_session=; ory_kratos_session=x; csrf_token=\u00e9" },
  { cookie: "=;;;===" },
  { "x-session-token": "ory_st_" + "z".repeat(32) },
  { "x-session-token": "\u00e9\u00e8" },
  { authorization: "Bearer" },
  { authorization: "Bearer a b c" },
  { authorization: "Basic dXNlcjpwYXNz" },
  { accept: "application/json;q=abc, */*;q=-1" },
  { accept: "\u00ff/\u00ff" },
  { "next-router-prefetch": "1" },
  { "sec-purpose": "prefetch" },
  { "content-length": "0" },
  { "x-forwarded-proto": "https, http" },
  { "x-forwarded-for": "not-an-ip, \u00e9" },
];

const GET_ENDPOINTS = [
  "/self-service/logout/browser?return_to=",
  "/self-service/logout?token=",
  "/self-service/logout?return_to=%s&token=",
  "/self-service/errors?id=",
  "/self-service/login/flows?id=",
  "/self-service/registration/flows?id=",
  "/sessions/whoami?x=",
  "/schemas/",
];

function corpus(): Case[] {
  const json = { accept: "application/json" };
  const cases: Case[] = [];
  // Query strings on every GET endpoint, as a JSON client and as a browser.
  for (const endpoint of GET_ENDPOINTS) {
    for (const value of WEIRD) {
      const path = endpoint.includes("%s")
        ? endpoint.replace("%s", value) + encodeURIComponent(logoutQuery.split("token=")[1] ?? "")
        : endpoint + value;
      cases.push({ method: "GET", path, headers: json });
      if (endpoint.startsWith("/self-service/logout?")) cases.push({ method: "GET", path, browser: true });
    }
  }
  // A valid logout URL spoiled: tampered tokens, a forbidden return_to, another browser's session.
  const token = new URLSearchParams(logoutQuery).get("token") ?? "";
  for (const spoiled of [
    token.slice(0, -1),
    token.slice(1),
    token.toUpperCase(),
    `${token}x`,
    token.replace(".", ".."),
    token.split(".")[0] ?? "",
  ]) {
    cases.push({
      method: "GET",
      path: `/self-service/logout?token=${encodeURIComponent(spoiled)}`,
      headers: { ...json, cookie: signedIn.cookie },
    });
  }
  const FORBIDDEN_RETURN_TO = [
    "https%3A%2F%2Fevil.example%2F",
    "%2F%2Fevil.example",
    "javascript%3Aalert(1)",
    "http%3A%2F%2F%5B",
    "https%3A%2F%2Fuser%3Apw%40127.0.0.1%2F",
    "%0d%0a",
    "%2F%00",
    "%09%2F",
  ];
  for (const value of FORBIDDEN_RETURN_TO) {
    cases.push({
      method: "GET",
      path: `/self-service/logout?${logoutQuery}&return_to=${value}`,
      headers: { ...json, cookie: signedIn.cookie },
    });
  }
  cases.push({
    method: "GET",
    path: `/self-service/logout?${logoutQuery}`,
    headers: { ...json, cookie: revoked.cookie },
  });
  cases.push({ method: "HEAD", path: `/self-service/logout?${logoutQuery}`, headers: { cookie: signedIn.cookie } });
  // Flow initialisation with a return_to that must be refused, or while signed in (nothing created).
  for (const kind of ["login", "registration"]) {
    for (const value of FORBIDDEN_RETURN_TO) {
      cases.push({ method: "GET", path: `/self-service/${kind}/browser?return_to=${value}`, headers: json });
      cases.push({ method: "GET", path: `/self-service/${kind}/api?return_to=${value}`, headers: json });
    }
    cases.push({ method: "GET", path: `/self-service/${kind}/browser`, headers: { ...json, cookie: signedIn.cookie } });
    cases.push({ method: "GET", path: `/self-service/${kind}/api`, headers: { "x-session-token": signedIn.token } });
  }
  // Credentials in every malformed shape, on every endpoint that reads them.
  for (const headers of CREDENTIAL_HEADERS) {
    for (const path of [
      "/sessions/whoami",
      "/self-service/logout/browser",
      `/self-service/logout?${logoutQuery}`,
      "/self-service/login/browser?return_to=https%3A%2F%2Fevil.example",
    ]) {
      cases.push({ method: "GET", path, headers: { ...json, ...headers } });
    }
  }
  // Bodies × content types on every endpoint that reads a body: native logout, a browser flow
  // without its CSRF cookie (refused before anything is written), the API flow (a parseable but
  // invalid submission is answered with messages and changes nothing), an unknown flow.
  const bodyTargets = [
    { method: "DELETE", path: "/self-service/logout/api" },
    { method: "POST", path: actionPath(browserLoginFlow) },
    { method: "POST", path: actionPath(apiLoginFlow) },
    { method: "POST", path: "/self-service/registration?flow=00000000-0000-0000-0000-000000000000" },
    { method: "POST", path: "/self-service/login?flow=%ED%A0%80" },
  ];
  for (const target of bodyTargets) {
    for (const body of BODIES) {
      for (const contentType of CONTENT_TYPES) {
        cases.push({ ...target, body, headers: { ...json, ...(contentType ? { "content-type": contentType } : {}) } });
      }
    }
  }
  // Sizes and encodings that must be refused before parsing.
  const unparseable: [string | Uint8Array<ArrayBuffer>, string][] = [
    ["", "application/json"],
    ["{", "application/json"],
    ["[".repeat(5000), "application/json"],
    ["x".repeat(100_000), "application/json"],
    ["x".repeat(100_000), "application/x-www-form-urlencoded"],
    [new Uint8Array([0xff, 0xfe]), "application/json"],
    [new Uint8Array([0xff, 0xfe]), "application/x-www-form-urlencoded"],
  ];
  for (const [body, contentType] of unparseable) {
    cases.push({ method: "POST", path: actionPath(apiLoginFlow), body, headers: { "content-type": contentType } });
  }
  // Methods an endpoint does not answer.
  const everyPath = [
    "/self-service/logout",
    "/self-service/logout/browser",
    "/self-service/logout/api",
    "/sessions/whoami",
    "/self-service/errors",
    "/self-service/login",
    "/self-service/login/browser",
    "/self-service/login/api",
    "/self-service/login/flows",
    "/self-service/registration",
    "/self-service/registration/browser",
    "/self-service/registration/api",
    "/self-service/registration/flows",
    "/health/alive",
    "/health/ready",
  ];
  for (const path of everyPath) {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      // A plain GET that starts a flow is a valid request (it creates the flow): not part of this corpus.
      if (method === "GET" && /\/(login|registration)\/(browser|api)$/.test(path)) continue;
      cases.push({
        method,
        path,
        headers: { ...json, "content-type": "application/json" },
        body: method === "GET" ? undefined : "{}",
      });
    }
  }
  return cases;
}

async function snapshot() {
  return {
    identities: await app.db.identity.findMany({ orderBy: { id: "asc" } }),
    sessions: await app.db.session.findMany({ orderBy: { id: "asc" } }),
    flows: await app.db.selfServiceFlow.findMany({ orderBy: { id: "asc" } }),
    errors: await app.db.selfServiceError.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("a corpus of malformed requests", () => {
  it("never answers 5xx and changes no row", { timeout: 60_000 }, async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const before = await snapshot();

    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    let errorRedirects = 0;
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const response = await app.fetch(`${c.path}`, {
          method: c.method,
          headers: c.headers,
          body: c.body,
          redirect: "manual",
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) fivexx.push(`${c.method} ${c.path.slice(0, 120)} → ${response.status}`);
        if (response.status === 303 && new URL(response.headers.get("location") ?? "", app.url).pathname === "/error")
          errorRedirects++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    expect(fivexx).toEqual([]);
    const after = await snapshot();
    expect(after.identities).toEqual(before.identities);
    expect(after.sessions).toEqual(before.sessions);
    expect(after.flows).toEqual(before.flows);
    expect(after.errors.filter((row) => before.errors.some((old) => old.id === row.id))).toEqual(before.errors);
    // A browser's error is stored once per kind (the same error is one row however often it
    // happens): the table gains a handful of rows, never one per request.
    expect(errorRedirects).toBeGreaterThan(20);
    expect(after.errors.length - before.errors.length).toBeLessThanOrEqual(20);
    expect(new Set(after.errors.map((row) => row.error)).size).toBe(after.errors.length);
    console.log(`${cases.length} malformed requests, statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
