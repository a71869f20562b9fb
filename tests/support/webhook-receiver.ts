// A webhook receiver for tests: a plain node:http server that checks every request the way a
// receiver written apart from this app would. Each signature is verified twice, with the
// `standardwebhooks` reference library and by hand with node:crypto (the recipe the README gives),
// never with the app's own code. It records what arrived, counts deliveries per webhook-id, and can
// answer 500, hang, redirect, or be down.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Webhook } from "standardwebhooks";

/**
 * What the receiver does with a request: answer with a status (and a body, or a body that never
 * ends), never answer, or drop the connection without answering.
 */
export type Behaviour =
  { status: number; body?: string; headers?: Record<string, string>; endlessBody?: boolean } | "hang" | "reset";

export type Received = {
  id: string;
  timestamp: number;
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** The parsed body. */
  event: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What the receiver answered (undefined: it hung). */
  answered: number | undefined;
  receivedAt: number;
};

/** A fresh Standard Webhooks secret: whsec_ + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The README's receiver recipe: HMAC-SHA256 of "id.timestamp.body" with the secret's bytes. */
function verifiesByHand(secret: string, headers: IncomingMessage["headers"], body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = Buffer.from(`v1,${createHmac("sha256", key).update(signed).digest("base64")}`);
  return String(headers["webhook-signature"] ?? "")
    .split(" ")
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(Buffer.from(candidate), expected));
}

export class WebhookReceiver {
  readonly secret = newWebhookSecret();
  /** Every request that carried a valid signature, in order of arrival (answered or not). */
  readonly received: Received[] = [];
  /** Requests whose signature or shape was wrong: a test expects none. */
  readonly rejected: string[] = [];
  /** Decides each answer; by default every request is delivered (204). */
  behaviour: (request: Received) => Behaviour = () => ({ status: 204 });

  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private port = 0;

  constructor() {
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/session`;
  }

  /** Listens (again, on the same port after `down()`). */
  async up(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, "127.0.0.1", () => {
        this.server.off("error", reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
    return this;
  }

  /** Stops listening and drops every connection: attempts now meet a refused connection. */
  async down(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets what arrived and answers 204 again. */
  reset(): void {
    this.received.length = 0;
    this.rejected.length = 0;
    this.behaviour = () => ({ status: 204 });
  }

  /** Deliveries counted per webhook-id: successful answers only. */
  deliveredCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.received) {
      if (request.answered !== undefined && request.answered >= 200 && request.answered < 300) {
        counts.set(request.id, (counts.get(request.id) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Successfully delivered events, one per webhook-id (the first delivery of each). */
  deliveredEvents(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((request) => {
      const ok = request.answered !== undefined && request.answered >= 200 && request.answered < 300;
      if (!ok || seen.has(request.id)) return false;
      seen.add(request.id);
      return true;
    });
  }

  /** Requests (any answer) for one event. */
  attemptsOf(id: string): Received[] {
    return this.received.filter((request) => request.id === id);
  }

  /** Waits until `condition` holds, polling; throws with `what` after `timeoutMs`. */
  async waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(`webhook receiver: timed out waiting for ${what} (${this.received.length} received)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = String(req.headers["webhook-id"] ?? "");
      try {
        // The reference library: throws unless the signature and a fresh timestamp check out.
        new Webhook(this.secret).verify(body, req.headers as Record<string, string>);
        if (!verifiesByHand(this.secret, req.headers, body)) throw new Error("the README recipe rejects it");
        if (req.method !== "POST") throw new Error(`method ${req.method}`);
        if (req.headers["content-type"] !== "application/json") throw new Error(`type ${req.headers["content-type"]}`);
      } catch (error) {
        this.rejected.push(`${id}: ${(error as Error).message}`);
        res.writeHead(400).end();
        return;
      }
      const received: Received = {
        id,
        timestamp: Number(req.headers["webhook-timestamp"]),
        method: req.method,
        headers: req.headers,
        body,
        event: JSON.parse(body) as Received["event"],
        answered: undefined,
        receivedAt: Date.now(),
      };
      this.received.push(received);
      const behaviour = this.behaviour(received);
      if (behaviour === "reset") {
        req.socket.destroy();
        return;
      }
      if (behaviour === "hang") {
        this.hanging.add(res);
        res.once("close", () => this.hanging.delete(res));
        return;
      }
      received.answered = behaviour.status;
      res.writeHead(behaviour.status, behaviour.headers);
      if (behaviour.endlessBody) {
        this.hanging.add(res);
        const chunk = "x".repeat(16 * 1024);
        const more = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on("drain", more);
        res.once("close", () => this.hanging.delete(res));
        more();
        return;
      }
      res.end(behaviour.body);
    });
  }
}

/** A receiver that is listening. */
export function startWebhookReceiver(): Promise<WebhookReceiver> {
  return new WebhookReceiver().up();
}
