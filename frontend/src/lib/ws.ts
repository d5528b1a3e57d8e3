/**
 * The one typed WebSocket client: reconnects with exponential backoff and jitter, re-sends the
 * subscriptions after every reconnect, and reports its state ("connecting" | "open" |
 * "reconnecting" | "closed") so the UI can show "재연결 중…".
 */

export type SocketStatus = "connecting" | "open" | "reconnecting" | "closed";

/** The subset of the browser WebSocket API we use; `ws` in tests and the browser's own both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: how much of each delay is randomised, so many tabs don't reconnect in lockstep. */
  jitter: number;
}

export interface SocketOptions {
  factory?: WebSocketFactory;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
}

const OPEN = 1;
/** Close codes after which reconnecting cannot help (unknown symbol, not logged in, forbidden). */
export const TERMINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.3 };

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
  return Math.round(base * (1 - options.jitter * random()));
}

export function socketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}${path}`;
}

type Listener<T> = (value: T) => void;

export class LiveSocket<In, Out = never> {
  readonly url: string;
  private readonly factory: WebSocketFactory;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private socket: WebSocketLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private _status: SocketStatus = "closed";
  private readonly messageListeners = new Set<Listener<In>>();
  private readonly statusListeners = new Set<Listener<SocketStatus>>();
  /** Messages that rebuild server-side state on every (re)connect, e.g. the subscribe action. */
  protected openMessages: () => Out[] = () => [];

  constructor(url: string, options: SocketOptions = {}) {
    this.url = url;
    this.factory = options.factory ?? ((target) => new WebSocket(target) as unknown as WebSocketLike);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
  }

  get status(): SocketStatus {
    return this._status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setStatus("connecting");
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.onopen = null;
      socket.close(1000, "client stop");
    }
    this.setStatus("closed");
  }

  onMessage(listener: Listener<In>): () => void {
    this.messageListeners.add(listener);
    return () => {
      this.messageListeners.delete(listener);
    };
  }

  onStatus(listener: Listener<SocketStatus>): () => void {
    this.statusListeners.add(listener);
    return () => {
      this.statusListeners.delete(listener);
    };
  }

  /** Send now if connected; otherwise drop (state is rebuilt from openMessages on reconnect). */
  send(message: Out): boolean {
    if (this.socket && this.socket.readyState === OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  private setStatus(status: SocketStatus): void {
    if (status === this._status) return;
    this._status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private connect(): void {
    this.timer = null;
    let socket: WebSocketLike;
    try {
      socket = this.factory(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      for (const message of this.openMessages()) socket.send(JSON.stringify(message));
      this.setStatus("open");
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      let parsed: In;
      try {
        parsed = JSON.parse(event.data) as In;
      } catch {
        return;
      }
      for (const listener of this.messageListeners) listener(parsed);
    };
    socket.onerror = () => {
      // onclose follows and decides what to do.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (TERMINAL_CLOSE_CODES.has(event.code)) {
        this.stopped = true;
        this.setStatus("closed");
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.setStatus("reconnecting");
    const delay = backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

/** /ws/quotes: reference-counted subscriptions, re-sent on every reconnect. */
export type QuoteAction = { action: "subscribe" | "unsubscribe"; codes: string[] };

/**
 * The server follows at most `maxCodes` symbols per socket (MARKET_WS_MAX_CODES, announced in its
 * "hello") and rejects a whole subscribe that would go over. Codes beyond the cap wait, in the
 * order they were asked for, and are followed as soon as others are released.
 */
export class QuoteSocket<In> extends LiveSocket<In, QuoteAction> {
  private readonly counts = new Map<string, number>();
  private readonly followed = new Set<string>();
  private maxCodes: number;

  constructor(url: string, options: SocketOptions & { maxCodes?: number } = {}) {
    super(url, options);
    this.maxCodes = options.maxCodes ?? 50;
    this.openMessages = () => {
      this.followed.clear();
      const codes = [...this.counts.keys()].slice(0, this.maxCodes);
      for (const code of codes) this.followed.add(code);
      return codes.length ? [{ action: "subscribe", codes: [...codes].sort() }] : [];
    };
    this.onMessage((message) => {
      const hello = message as { type?: string; max_codes?: number };
      if (hello?.type === "hello" && typeof hello.max_codes === "number" && hello.max_codes > 0) {
        this.maxCodes = hello.max_codes;
      }
    });
  }

  /** Every code someone wants, followed or waiting. */
  codes(): string[] {
    return [...this.counts.keys()].sort();
  }

  /** The codes the server has been asked to follow on this connection. */
  followedCodes(): string[] {
    return [...this.followed].sort();
  }

  /** Subscribe to codes; returns the matching unsubscribe. */
  subscribe(codes: string[]): () => void {
    const unique = [...new Set(codes)];
    for (const code of unique) this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    this.fill();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const removed: string[] = [];
      for (const code of unique) {
        const count = this.counts.get(code) ?? 0;
        if (count <= 1) {
          this.counts.delete(code);
          if (this.followed.delete(code)) removed.push(code);
        } else {
          this.counts.set(code, count - 1);
        }
      }
      if (removed.length) this.send({ action: "unsubscribe", codes: removed.sort() });
      this.fill();
    };
  }

  /** Follow waiting codes while there is room (only while connected; on connect openMessages does it). */
  private fill(): void {
    if (this.status !== "open") return;
    const room = this.maxCodes - this.followed.size;
    if (room <= 0) return;
    const waiting = [...this.counts.keys()].filter((code) => !this.followed.has(code)).slice(0, room);
    if (!waiting.length) return;
    if (this.send({ action: "subscribe", codes: [...waiting].sort() })) {
      for (const code of waiting) this.followed.add(code);
    }
  }
}
