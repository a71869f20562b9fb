// What `npm run bench` measures: the request targets of issue 15, each with its goals, and the
// baseline they are compared with. Every target runs in every round; goals are ratios to the
// baseline measured in the same round, so they hold on any machine.
//
// A target: { id, name, expect (the HTTP status every answer must have), request(fixtures) → a
// request or a function giving a new one per call (see load.mjs), consumesFreshSessions (each
// request uses up one of fixtures.fresh, so the benchmark makes enough first), check(response,
// body) → why the first answer is wrong, or nothing; goals }.
//
// goals: rps (minimum throughput ratio, and on PostgreSQL rpsPostgres when it differs), cpu
// (maximum CPU per request ratio), queries [min, max] per request, writes [min, max] per request.
// Every target also has p99 at the fixed rate ≤ P99_AT_RATE_GOAL × the baseline's. A new kind of
// measurement that is not a request/answer pair (webhook delivery latency, open event streams)
// is a check, see checks.mjs.

export const P99_AT_RATE_GOAL = 2;
export const RSS_GOAL_MB = 250;

const json = { accept: "application/json" };
const html = { accept: "text/html" };

export const BASELINE = {
  id: "baseline",
  name: "GET /health/alive (baseline)",
  expect: 200,
  request: () => ({ path: "/health/alive" }),
};

export const TARGETS = [
  BASELINE,
  {
    id: "whoami-cookie",
    name: "GET /sessions/whoami (cookie)",
    expect: 200,
    request: ({ signedIn }) => ({ path: "/sessions/whoami", headers: { ...json, cookie: signedIn.cookie } }),
    check: (_, body) => (JSON.parse(body).active === true ? undefined : "not an active session"),
    goals: { rps: 0.75, rpsPostgres: 0.65, cpu: 1.35, queries: [1, 1] },
  },
  {
    id: "whoami-token",
    name: "GET /sessions/whoami (token)",
    expect: 200,
    request: ({ signedIn }) => ({ path: "/sessions/whoami", headers: { ...json, "x-session-token": signedIn.token } }),
    check: (_, body) => (JSON.parse(body).active === true ? undefined : "not an active session"),
    goals: { rps: 0.75, rpsPostgres: 0.65, cpu: 1.35, queries: [1, 1] },
  },
  {
    id: "logout-url",
    name: "GET /self-service/logout/browser",
    expect: 200,
    request: ({ signedIn }) => ({
      path: "/self-service/logout/browser",
      headers: { ...json, cookie: signedIn.cookie },
    }),
    check: (_, body) => (JSON.parse(body).logout_url ? undefined : "no logout_url"),
    goals: { rps: 0.75, rpsPostgres: 0.65, cpu: 1.35, queries: [1, 1] },
  },
  {
    id: "native-logout-revoked",
    name: "DELETE /self-service/logout/api (revoked)",
    expect: 204,
    request: ({ revoked }) => ({
      method: "DELETE",
      path: "/self-service/logout/api",
      headers: { ...json, "content-type": "application/json" },
      body: JSON.stringify({ session_token: revoked.token }),
    }),
    goals: { rps: 0.75, rpsPostgres: 0.65, cpu: 1.35, queries: [1, 1], writes: [0, 0] },
  },
  {
    // A person clicking the Sign Out link: the browser sends its cookie, gets 303 to the return URL.
    id: "logout-fresh",
    name: "GET /self-service/logout (fresh sessions)",
    expect: 303,
    consumesFreshSessions: true,
    request:
      ({ fresh }) =>
      () => {
        const session = fresh.take();
        return { path: session.logoutPath, headers: { ...html, cookie: session.cookie } };
      },
    check: (response) => (response.headers.get("location") ? undefined : "no Location"),
    goals: { rps: 0.45, rpsPostgres: 0.4, cpu: 2.2, queries: [1, 2], writes: [1, 1] },
  },
  {
    id: "home-page",
    name: "GET / signed in (page, Sign Out link)",
    expect: 200,
    request: ({ signedIn }) => ({ path: "/", headers: { ...html, cookie: signedIn.cookie } }),
    check: (_, body) => (body.includes("/self-service/logout?token=") ? undefined : "no Sign Out link in the page"),
    goals: { rps: 0.3, cpu: 3, queries: [1, 1], writes: [0, 0] },
  },
];
