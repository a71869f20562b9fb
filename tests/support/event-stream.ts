// A Server-Sent Events client for tests: opens GET /sessions/events and reads it block by block,
// as the EventSource parser does (fields per line, blocks separated by a blank line).

import type { App } from "./app";

/** One block of the stream: an event, a `retry:` hint, or a comment (the heartbeat). */
export type StreamBlock = { id?: string; event?: string; data?: string; retry?: number; comments: string[] };

/** An event whose data is JSON. */
export type StreamEvent = { id: string | undefined; event: string | undefined; data: unknown };

/** Generous: arrival is what is asserted; how fast is measured by the `streams` check of `npm run bench`. */
export const EVENT_TIMEOUT_MS = 5_000;

export class EventStream {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  // A read that timed out is still under way: the next call waits for it rather than losing its chunk.
  private pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
  }

  /** The next block, or undefined once the server has closed the stream. */
  async nextBlock(timeoutMs = EVENT_TIMEOUT_MS): Promise<StreamBlock | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseBlock(text);
      }
      this.pending ??= this.reader.read();
      const chunk = await withTimeout(this.pending, deadline - Date.now());
      this.pending = undefined;
      if (chunk.done) return undefined;
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next event, skipping `retry:` and heartbeats; undefined once the stream has closed. */
  async nextEvent(timeoutMs = EVENT_TIMEOUT_MS): Promise<StreamEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const block = await this.nextBlock(deadline - Date.now());
      if (!block) return undefined;
      if (block.data !== undefined) return { id: block.id, event: block.event, data: JSON.parse(block.data) };
    }
  }

  /** Whether the server closed the stream (nothing more than heartbeats came first). */
  async closed(timeoutMs = EVENT_TIMEOUT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const block = await this.nextBlock(deadline - Date.now());
      if (!block) return true;
      if (block.data !== undefined) return false;
    }
  }

  /** The client goes away. */
  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

function parseBlock(text: string): StreamBlock {
  const block: StreamBlock = { comments: [] };
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) {
      block.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") block.id = value;
    else if (field === "event") block.event = value;
    else if (field === "data") block.data = block.data === undefined ? value : `${block.data}\n${value}`;
    else if (field === "retry") block.retry = Number(value);
  }
  return block;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing arrived on the event stream within the timeout`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** GET /sessions/events with these headers (a cookie, X-Session-Token, Authorization). */
export function openEventStream(app: App, headers: Record<string, string>): Promise<Response> {
  return app.fetch("/sessions/events", { headers });
}

/** Opens the stream and expects it to be accepted, with its `retry:` hint first. */
export async function openedEventStream(app: App, headers: Record<string, string>): Promise<EventStream> {
  const response = await openEventStream(app, headers);
  if (response.status !== 200) {
    throw new Error(`GET /sessions/events: expected 200, got ${response.status}: ${await response.text()}`);
  }
  const stream = new EventStream(response);
  const first = await stream.nextBlock();
  if (first?.retry === undefined) throw new Error(`the stream did not start with retry: ${JSON.stringify(first)}`);
  return stream;
}
