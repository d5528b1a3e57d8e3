import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import { useLiveMarket, useSocketStatuses } from "@/lib/realtime";
import type { MarketIndexValue, MarketIndices } from "@/types/models";

/** While /ws/quotes is down the header polls; while it is open the server pushes `market.indices` as they move. */
export const INDICES_POLL_MS = 5_000;

/** GET /api/v1/market/indices: KOSPI and KOSDAQ (docs/api.md "market"). */
export const getMarketIndices = () => api.get<MarketIndices>("market/indices");

export const marketIndicesQueryOptions = (poll: number | false) =>
  queryOptions({ queryKey: ["market", "indices"], queryFn: getMarketIndices, refetchInterval: poll, retry: false });

/**
 * KOSPI and KOSDAQ as they stand: the newer of the last answer of GET market/indices and the last
 * `market.indices` pushed on the quote stream; `note` says what they are, in the user's language.
 */
export function useMarketIndices(): { indices: MarketIndexValue[] | undefined; note: string | undefined; isError: boolean } {
  const streaming = useSocketStatuses((state) => state.statuses.quotes === "open");
  const query = useQuery(marketIndicesQueryOptions(streaming ? false : INDICES_POLL_MS));
  const live = useLiveMarket((state) => state.indices);
  const indices = live && live.receivedAt >= query.dataUpdatedAt ? live.values : query.data?.indices;
  return { indices, note: query.data?.note, isError: query.isError };
}
