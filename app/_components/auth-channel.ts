// Tabs of the app tell each other about sign-outs, so no tab keeps showing a signed-in view.

const CHANNEL = "auth";
const SIGNED_OUT = "signed-out";

export function announceSignedOut(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(SIGNED_OUT);
  channel.close();
}

/** Calls `callback` when another tab announces a sign-out; returns the unsubscribe function. */
export function onSignedOutElsewhere(callback: () => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => {};
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    if (event.data === SIGNED_OUT) callback();
  };
  return () => channel.close();
}
