import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import type { OrderBook, Quote, Trade } from "@/types/models";

import { useOrderBookSnapshot } from "../api/orderbook";
import { useSymbol } from "../api/symbols";

const NO_TRADES: Trade[] = [];

/**
 * The latest quote of a symbol: the live one, else the REST snapshot's. Only a component that shows
 * it should call this: each quote re-renders its caller (and nothing above it).
 */
export function useSymbolQuote(code: string): Quote | null {
  const symbol = useSymbol(code);
  const liveQuote = useLiveMarket((state) => state.quotes[code]);
  return liveQuote ?? symbol.data?.quote ?? null;
}

/** The latest 10-level book of a symbol (live, else the REST snapshot) and the snapshot's query. */
export function useSymbolBook(code: string) {
  const bookSnapshot = useOrderBookSnapshot(code);
  const liveBook = useLiveMarket((state) => state.books[code]);
  const book: OrderBook | null = liveBook ?? bookSnapshot.data ?? null;
  return { book, bookQuery: bookSnapshot };
}

/** The trades seen on this page, newest first. */
export function useSymbolTape(code: string): Trade[] {
  return useLiveMarket((state) => state.tapes[code]) ?? NO_TRADES;
}

/** Everything live about one symbol: REST snapshot first, then the /ws/quotes stream. */
export function useSymbolLive(code: string) {
  useQuoteSubscription([code]);
  const symbol = useSymbol(code);
  const quote = useSymbolQuote(code);
  const { book, bookQuery } = useSymbolBook(code);
  const tape = useSymbolTape(code);
  return { symbol, quote, book, bookQuery, tape };
}
