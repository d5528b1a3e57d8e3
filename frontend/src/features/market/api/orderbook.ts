import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { OrderBook, Quote } from "@/types/models";

export const getOrderBook = (code: string) => api.get<OrderBook>(`market/orderbook/${encodeURIComponent(code)}`);

export const orderBookQueryOptions = (code: string) =>
  queryOptions({ queryKey: ["market", "orderbook", code], queryFn: () => getOrderBook(code) });

export const useOrderBookSnapshot = (code: string) => useQuery(orderBookQueryOptions(code));

export const getQuote = (code: string) => api.get<Quote>(`market/quotes/${encodeURIComponent(code)}`);

export const quoteQueryOptions = (code: string) =>
  queryOptions({ queryKey: ["market", "quote", code], queryFn: () => getQuote(code) });

export const useQuoteSnapshot = (code: string) => useQuery(quoteQueryOptions(code));
