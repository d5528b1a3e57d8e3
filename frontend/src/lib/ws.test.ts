// @vitest-environment node
import type { AddressInfo } from "node:net";

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";

import { backoffDelay, LiveSocket, QuoteSocket, type SocketStatus, type WebSocketLike } from "./ws";

/** A real WebSocket server in this process, recording what each connection sends. */
class FakeQuoteServer {
  readonly server: WebSocketServer;
  readonly connections: WebSocket[] = [];
  readonly received: unknown[][] = [];

  constructor() {
    this.server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    this.server.on("connection", (socket) => {
      const messages: unknown[] = [];
      this.connections.push(socket);
      this.received.push(messages);
      socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws/quotes`;
  }

  listening(): Promise<void> {
    return new Promise((resolve) => {
      if (this.server.address()) resolve();
      else this.server.once("listening", () => resolve());
    });
  }

  last(): WebSocket {
    return this.connections[this.connections.length - 1];
  }

  close(): Promise<void> {
    for (const socket of this.connections) socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const factory = (url: string) => new WebSocket(url) as unknown as WebSocketLike;
const fast = { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 };

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting for condition");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("LiveSocket / QuoteSocket against a real ws server", () => {
  let server: FakeQuoteServer;
  let statuses: SocketStatus[];

  beforeEach(async () => {
    server = new FakeQuoteServer();
    await server.listening();
    statuses = [];
  });

  afterEach(async () => {
    if (server.server.address()) await server.close();
  });

  it("connects, reports open and delivers parsed messages", async () => {
    const socket = new LiveSocket<{ type: string; n: number }>(server.url, { factory, backoff: fast });
    socket.onStatus((s) => statuses.push(s));
    const messages: { type: string; n: number }[] = [];
    socket.onMessage((m) => messages.push(m));
    socket.start();
    await until(() => socket.status === "open");
    server.last().send(JSON.stringify({ type: "trade", n: 1 }));
    server.last().send("not json");
    server.last().send(JSON.stringify({ type: "trade", n: 2 }));
    await until(() => messages.length === 2);
    expect(messages.map((m) => m.n)).toEqual([1, 2]);
    expect(statuses).toEqual(["connecting", "open"]);
    socket.stop();
    expect(socket.status).toBe("closed");
  });

  it("subscribes, and after the connection drops reconnects and re-sends every subscription", async () => {
    const socket = new QuoteSocket<unknown>(server.url, { factory, backoff: fast });
    socket.onStatus((s) => statuses.push(s));
    const unsubscribeA = socket.subscribe(["005930"]); // before connecting: sent on open
    socket.start();
    await until(() => socket.status === "open" && server.received[0]?.length === 1);
    expect(server.received[0]).toEqual([{ action: "subscribe", codes: ["005930"] }]);

    socket.subscribe(["000660", "005930"]);
    await until(() => server.received[0].length === 2);
    expect(server.received[0][1]).toEqual({ action: "subscribe", codes: ["000660"] });

    server.last().terminate(); // the server goes away without a close frame
    await until(() => statuses.includes("reconnecting"));
    await until(() => server.connections.length === 2 && socket.status === "open" && server.received[1]?.length === 1);
    expect(server.received[1]).toEqual([{ action: "subscribe", codes: ["000660", "005930"] }]);
    expect(statuses).toEqual(["connecting", "open", "reconnecting", "open"]);

    // 005930 is still wanted by the second subscriber: only the refcount drops.
    unsubscribeA();
    unsubscribeA(); // idempotent
    expect(socket.codes()).toEqual(["000660", "005930"]);
    socket.stop();
  });

  it("keeps retrying with backoff while the server is down, then recovers", async () => {
    const port = (server.server.address() as AddressInfo).port;
    const url = server.url;
    await server.close();
    const socket = new QuoteSocket<unknown>(url, { factory, backoff: fast });
    socket.onStatus((s) => statuses.push(s));
    socket.subscribe(["035420"]);
    socket.start();
    await until(() => socket.status === "reconnecting");
    await new Promise((resolve) => setTimeout(resolve, 120)); // a few failed attempts
    expect(socket.status).toBe("reconnecting");

    const revived = new WebSocketServer({ port, host: "127.0.0.1" });
    await new Promise((resolve) => revived.once("listening", resolve));
    const got: unknown[] = [];
    revived.on("connection", (ws) => ws.on("message", (data) => got.push(JSON.parse(String(data)))));
    try {
      await until(() => socket.status === "open" && got.length === 1);
      expect(got).toEqual([{ action: "subscribe", codes: ["035420"] }]);
    } finally {
      socket.stop();
      for (const client of revived.clients) client.terminate();
      await new Promise((resolve) => revived.close(() => resolve(null)));
    }
  });

  it("stops for good on a terminal close code (unknown symbol 4404)", async () => {
    const socket = new LiveSocket<unknown>(server.url, { factory, backoff: fast });
    socket.onStatus((s) => statuses.push(s));
    socket.start();
    await until(() => socket.status === "open");
    server.last().close(4404, "unknown symbol");
    await until(() => socket.status === "closed");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.connections).toHaveLength(1);
    expect(statuses).toEqual(["connecting", "open", "closed"]);
  });

  it("sends an unsubscribe once the last subscriber leaves", async () => {
    const socket = new QuoteSocket<unknown>(server.url, { factory, backoff: fast });
    socket.start();
    await until(() => socket.status === "open");
    const stop = socket.subscribe(["005930"]);
    await until(() => server.received[0].length === 1);
    stop();
    await until(() => server.received[0].length === 2);
    expect(server.received[0][1]).toEqual({ action: "unsubscribe", codes: ["005930"] });
    expect(socket.codes()).toEqual([]);
    socket.stop();
  });
});

describe("backoffDelay", () => {
  it("grows exponentially up to the cap, with jitter taken off the top", () => {
    const options = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.3 };
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, options, () => 0))).toEqual([500, 1000, 2000, 4000, 15_000]);
    expect(backoffDelay(1, options, () => 1)).toBe(700);
  });
});

describe("QuoteSocket follows at most the server's cap", () => {
  it("keeps codes over the cap waiting and follows them as others are released", async () => {
    const server = new FakeQuoteServer();
    await server.listening();
    server.server.on("connection", (ws) => ws.send(JSON.stringify({ type: "hello", stream: "quotes", max_codes: 2 })));
    const socket = new QuoteSocket<unknown>(server.url, { factory, backoff: fast, maxCodes: 50 });
    try {
      socket.start();
      await until(() => socket.status === "open");
      await new Promise((resolve) => setTimeout(resolve, 30)); // the hello arrives
      const releaseA = socket.subscribe(["000001", "000002"]);
      socket.subscribe(["000003"]);
      await until(() => server.received[0].length === 1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(server.received[0]).toEqual([{ action: "subscribe", codes: ["000001", "000002"] }]);
      expect(socket.followedCodes()).toEqual(["000001", "000002"]);
      releaseA();
      await until(() => server.received[0].length === 3);
      expect(server.received[0].slice(1)).toEqual([
        { action: "unsubscribe", codes: ["000001", "000002"] },
        { action: "subscribe", codes: ["000003"] },
      ]);
      expect(socket.followedCodes()).toEqual(["000003"]);
    } finally {
      socket.stop();
      await server.close();
    }
  });
});
