/**
 * The app's live connections (one socket per stream, shared by every component) and the store of
 * the latest quote, book and trades per symbol they feed.
 */
import { useEffect, useMemo } from "react";
import { create } from "zustand";

import type { JobMessage, MarketIndexValue, OrderBook, OrderMessage, Quote, QuoteMessage, Trade } from "@/types/models";

import { LiveSocket, QuoteSocket, type SocketStatus, socketUrl } from "./ws";

export const TAPE_LENGTH = 50;

interface LiveMarketState {
  quotes: Record<string, Quote>;
  books: Record<string, OrderBook>;
  tapes: Record<string, Trade[]>;
  /** KOSPI/KOSDAQ as last pushed (`market.indices`), with when it arrived (ms). */
  indices: { values: MarketIndexValue[]; receivedAt: number } | null;
  apply: (message: QuoteMessage) => void;
}

export const useLiveMarket = create<LiveMarketState>()((set) => ({
  quotes: {},
  books: {},
  tapes: {},
  indices: null,
  apply: (message) =>
    set((state) => {
      switch (message.type) {
        case "book":
          return { books: { ...state.books, [message.book.code]: message.book } };
        case "quote":
          return { quotes: { ...state.quotes, [message.quote.code]: message.quote } };
        case "trade": {
          const tape = state.tapes[message.trade.code] ?? [];
          return {
            quotes: { ...state.quotes, [message.quote.code]: message.quote },
            tapes: { ...state.tapes, [message.trade.code]: [message.trade, ...tape].slice(0, TAPE_LENGTH) },
          };
        }
        case "market.indices":
          return { indices: { values: message.indices, receivedAt: Date.now() } };
        default:
          // hello / subscribed / unsubscribed / error: control messages, no market data.
          return {};
      }
    }),
}));

interface SocketStatusState {
  statuses: Record<string, SocketStatus>;
  set: (name: string, status: SocketStatus) => void;
}

export const useSocketStatuses = create<SocketStatusState>()((set) => ({
  statuses: {},
  set: (name, status) => set((state) => ({ statuses: { ...state.statuses, [name]: status } })),
}));

interface Streams {
  quotes: QuoteSocket<QuoteMessage>;
  orders: LiveSocket<OrderMessage>;
  jobs: LiveSocket<JobMessage>;
}

let streams: Streams | null = null;

/**
 * The streams, created once and kept for the page's life: subscriptions and listeners survive
 * stop/start (logout/login, React StrictMode remounts) and are re-sent on every connect.
 */
export function getStreams(): Streams {
  if (streams) return streams;
  const created: Streams = {
    quotes: new QuoteSocket<QuoteMessage>(socketUrl("/ws/quotes")),
    orders: new LiveSocket<OrderMessage>(socketUrl("/ws/orders")),
    jobs: new LiveSocket<JobMessage>(socketUrl("/ws/jobs")),
  };
  for (const [name, socket] of Object.entries(created) as [string, LiveSocket<unknown, unknown>][]) {
    socket.onStatus((status) => useSocketStatuses.getState().set(name, status));
  }
  created.quotes.onMessage((message) => useLiveMarket.getState().apply(message));
  streams = created;
  return created;
}

/** Connect the live streams (signed in). Safe to call again. */
export function startRealtime(): void {
  for (const socket of Object.values(getStreams())) socket.start();
}

export function stopRealtime(): void {
  if (streams) for (const socket of Object.values(streams)) socket.stop();
}

/** Keep live quotes flowing for these codes while the component is mounted. */
export function useQuoteSubscription(codes: string[]): void {
  const key = useMemo(() => [...new Set(codes)].sort().join(","), [codes]);
  useEffect(() => {
    if (!key) return;
    return getStreams().quotes.subscribe(key.split(","));
  }, [key]);
}

export function useLiveQuote(code: string | undefined): Quote | undefined {
  return useLiveMarket((state) => (code ? state.quotes[code] : undefined));
}

/** Subscribe to one stream's messages while mounted. */
export function useStreamMessages<K extends keyof Streams>(
  name: K,
  listener: Streams[K] extends LiveSocket<infer In, infer _Out> ? (message: In) => void : never,
): void {
  useEffect(() => {
    const socket = getStreams()[name] as LiveSocket<unknown, unknown>;
    return socket.onMessage(listener as (message: unknown) => void);
  }, [name, listener]);
}

/** The worst state over all streams: any "reconnecting" shows the banner. */
export function useRealtimeStatus(): SocketStatus | "idle" {
  return useSocketStatuses((state) => {
    const values = Object.values(state.statuses);
    if (!values.length) return "idle";
    if (values.includes("reconnecting")) return "reconnecting";
    if (values.includes("connecting")) return "connecting";
    if (values.every((value) => value === "closed")) return "closed";
    return "open";
  });
}
