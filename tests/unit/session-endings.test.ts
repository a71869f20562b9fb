// How a session's end is told: the stream's wire format (issue 12's contract, spelled out here as
// the issue writes it) and the words the devices page and the signed-out view use.

import { describe, expect, it } from "vitest";
import { sessionEndedEvent } from "@/lib/http/session-event-stream";
import type { SessionEnding } from "@/lib/server/sessions/session-endings";
import {
  describeHowSessionEnded,
  describeSignOutOfThisDevice,
  type LiveSessionEnding,
} from "@/app/_components/session-ending-description";

const ID = "6f1d9b1e-0c3a-4b5e-9d7f-2a8b4c6d8e0f";
const CURRENT = "0b5f3c6a-1d2e-4f70-8a9b-c0d1e2f3a4b5";
const AT = new Date("2026-11-22T10:00:00.123Z");
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const CHROMIUM = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chromium/140.0 Chrome/140.0 Safari/537.36";

const revoked = (reason: string, by: { sessionId: string; userAgent: string | null } | null): SessionEnding => ({
  kind: "revoked",
  sessionId: ID,
  reason,
  endedAt: AT,
  by,
});

describe("sessionEndedEvent", () => {
  it("session_revoked: id, event and one line of JSON data with exactly the contract's fields, then a blank line", () => {
    expect(sessionEndedEvent(revoked("revoked_by_user", { sessionId: CURRENT, userAgent: FIREFOX }))).toBe(
      `id: ${AT.getTime()}\nevent: session_revoked\n` +
        `data: {"session_id":"${ID}","reason":"revoked_by_user","revoked_at":"2026-11-22T10:00:00.123Z","by":{"user_agent":${JSON.stringify(FIREFOX)}}}\n\n`,
    );
  });

  it("by no session's request → by null; by a device with no user agent → an empty one; never that session's id", () => {
    expect(sessionEndedEvent(revoked("revoked_by_admin", null))).toContain(`"by":null}`);
    const anonymous = sessionEndedEvent(revoked("revoked_by_user", { sessionId: CURRENT, userAgent: null }));
    expect(anonymous).toContain(`"by":{"user_agent":""}}`);
    expect(anonymous).not.toContain(CURRENT);
  });

  it("session_expired: the session and its expiry", () => {
    expect(sessionEndedEvent({ kind: "expired", sessionId: ID, endedAt: AT })).toBe(
      `id: ${AT.getTime()}\nevent: session_expired\ndata: {"session_id":"${ID}","expires_at":"2026-11-22T10:00:00.123Z"}\n\n`,
    );
  });
});

describe("describeHowSessionEnded (the devices page)", () => {
  it.each<[SessionEnding, string]>([
    [revoked("logout", { sessionId: ID, userAgent: FIREFOX }), "signed out on this device"],
    [revoked("native_logout", { sessionId: ID, userAgent: null }), "signed out on this device"],
    [revoked("revoked_by_user", { sessionId: "other", userAgent: CHROMIUM }), "signed out from Chromium on Linux"],
    [revoked("revoked_by_user", { sessionId: CURRENT, userAgent: CHROMIUM }), "signed out from this device"],
    [revoked("revoked_by_user", null), "signed out from another device"],
    [
      revoked("revoked_other_sessions", { sessionId: "other", userAgent: FIREFOX }),
      "signed out everywhere else from Firefox on Linux",
    ],
    [
      revoked("revoked_other_sessions", { sessionId: "other", userAgent: null }),
      "signed out everywhere else from an unknown device",
    ],
    [revoked("revoked_by_admin", null), "signed out by an administrator"],
    [revoked("identity_deactivated", null), "signed out when the account was deactivated"],
    [revoked("something_new", null), "signed out"],
    [{ kind: "expired", sessionId: ID, endedAt: AT }, "expired"],
  ])("%o → %s", (ending, words) => {
    expect(describeHowSessionEnded(ending, CURRENT)).toBe(words);
  });
});

describe("describeSignOutOfThisDevice (the signed-out view)", () => {
  it.each<[LiveSessionEnding, string]>([
    [
      { type: "session_revoked", reason: "revoked_by_user", by: { user_agent: FIREFOX } },
      "You were signed out from this device by Firefox on Linux.",
    ],
    [
      { type: "session_revoked", reason: "revoked_other_sessions", by: { user_agent: CHROMIUM } },
      "You were signed out from this device by Chromium on Linux.",
    ],
    [
      { type: "session_revoked", reason: "revoked_by_user", by: null },
      "You were signed out from this device by another device.",
    ],
    [
      { type: "session_revoked", reason: "logout", by: { user_agent: FIREFOX } },
      "You were signed out from this device by signing out here.",
    ],
    [
      { type: "session_revoked", reason: "revoked_by_admin", by: null },
      "You were signed out from this device by an administrator.",
    ],
    [
      { type: "session_revoked", reason: "identity_deactivated", by: null },
      "You were signed out from this device because your account was deactivated.",
    ],
    [{ type: "session_expired" }, "You were signed out from this device because the session expired."],
    [{ type: "session_ended" }, "You were signed out from this device."],
  ])("%o → %s", (ending, words) => {
    expect(describeSignOutOfThisDevice(ending)).toBe(words);
  });
});
