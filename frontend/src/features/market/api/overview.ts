import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { MarketOverview } from "@/types/models";

export const getOverview = () => api.get<MarketOverview>("market/overview");

export const overviewQueryOptions = () =>
  queryOptions({ queryKey: ["market", "overview"], queryFn: getOverview, refetchInterval: 5_000 });

export const useOverview = () => useQuery(overviewQueryOptions());
