// Tabs of the app tell each other about sign-outs, so no tab keeps showing a signed-in view: a tab
// that lands signed out says so (the others check for themselves), and the tab that holds the
// browser's event stream passes on how the session ended (live-session-events.ts).

import type { LiveSessionEnding } from "./session-ending-description";

const SIGNED_OUT = "signed-out";

type SessionEndedMessage = { type: "session-ended"; sessionId: string; ending: LiveSessionEnding };

// One channel per document, for sending and receiving alike: a BroadcastChannel never hears its
// own messages, so a tab does not react to its own sign-out (which already navigates it).
let channel: BroadcastChannel | undefined;

function authChannel(): BroadcastChannel | undefined {
  if (typeof BroadcastChannel === "undefined") return undefined;
  channel ??= new BroadcastChannel("auth");
  return channel;
}

function subscribe(listener: (event: MessageEvent) => void): () => void {
  authChannel()?.addEventListener("message", listener);
  return () => authChannel()?.removeEventListener("message", listener);
}

export function announceSignedOut(): void {
  authChannel()?.postMessage(SIGNED_OUT);
}

/** Calls `callback` when another tab announces a sign-out; returns the unsubscribe function. */
export function onSignedOutElsewhere(callback: () => void): () => void {
  return subscribe((event) => {
    if (event.data === SIGNED_OUT) callback();
  });
}

/** Tells the other tabs how the session ended, as this tab's event stream said. */
export function announceSessionEnded(sessionId: string, ending: LiveSessionEnding): void {
  authChannel()?.postMessage({ type: "session-ended", sessionId, ending } satisfies SessionEndedMessage);
}

/** Calls `callback` when another tab passes on the end of this session; returns the unsubscribe function. */
export function onSessionEnded(sessionId: string, callback: (ending: LiveSessionEnding) => void): () => void {
  return subscribe((event) => {
    const message = event.data as Partial<SessionEndedMessage> | null;
    if (message?.type === "session-ended" && message.sessionId === sessionId && message.ending) {
      callback(message.ending);
    }
  });
}
