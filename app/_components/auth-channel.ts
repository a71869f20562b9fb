// Tabs of the app tell each other about sign-outs, so no tab keeps showing a signed-in view.

const SIGNED_OUT = "signed-out";

// One channel per document, for sending and receiving alike: a BroadcastChannel never hears its
// own messages, so a tab does not react to its own sign-out (which already navigates it).
let channel: BroadcastChannel | undefined;

function authChannel(): BroadcastChannel | undefined {
  if (typeof BroadcastChannel === "undefined") return undefined;
  channel ??= new BroadcastChannel("auth");
  return channel;
}

export function announceSignedOut(): void {
  authChannel()?.postMessage(SIGNED_OUT);
}

/** Calls `callback` when another tab announces a sign-out; returns the unsubscribe function. */
export function onSignedOutElsewhere(callback: () => void): () => void {
  const listener = (event: MessageEvent) => {
    if (event.data === SIGNED_OUT) callback();
  };
  authChannel()?.addEventListener("message", listener);
  return () => authChannel()?.removeEventListener("message", listener);
}
