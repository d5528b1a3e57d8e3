import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { Quote } from "@/types/models";

/** GET market/quotes takes at most this many codes (market.selectors.MAX_QUOTE_CODES). */
export const MAX_QUOTE_CODES = 100;

export const getQuotes = (codes: string[]) => api.get<Quote[]>("market/quotes", { codes: codes.join(",") });

/**
 * The REST snapshot of a group's quotes: what a row shows until /ws/quotes has spoken for it (first
 * paint, a reconnect, codes waiting beyond the socket's cap). Polled slowly; the stream is the live source.
 */
export const groupQuotesQueryOptions = (codes: string[]) => {
  const key = [...new Set(codes)].sort().slice(0, MAX_QUOTE_CODES);
  return queryOptions({
    queryKey: ["market", "quotes", key.join(",")],
    queryFn: async () => Object.fromEntries((await getQuotes(key)).map((quote) => [quote.code, quote])) as Record<string, Quote>,
    enabled: key.length > 0,
    staleTime: 15_000,
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
};

export const useGroupQuotes = (codes: string[]) => useQuery(groupQuotesQueryOptions(codes));
