import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import type { OrderBook, Quote, Trade } from "@/types/models";

import { useOrderBookSnapshot } from "../api/orderbook";
import { useSymbol } from "../api/symbols";

const NO_TRADES: Trade[] = [];

/** Everything live about one symbol: REST snapshot first, then the /ws/quotes stream. */
export function useSymbolLive(code: string) {
  useQuoteSubscription([code]);
  const symbol = useSymbol(code);
  const bookSnapshot = useOrderBookSnapshot(code);
  const liveQuote = useLiveMarket((state) => state.quotes[code]);
  const liveBook = useLiveMarket((state) => state.books[code]);
  const tape = useLiveMarket((state) => state.tapes[code]) ?? NO_TRADES;
  const quote: Quote | null = liveQuote ?? symbol.data?.quote ?? null;
  const book: OrderBook | null = liveBook ?? bookSnapshot.data ?? null;
  return { symbol, quote, book, bookQuery: bookSnapshot, tape };
}
