import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { AfterHoursSession, MarketPhase } from "@/types/models";

/** GET /api/v1/market/status (CONTRACTS.md "Market status"); pushed changes arrive on /ws/quotes. */
export interface MarketStatus {
  clock: "krx" | "practice";
  now: string;
  trading_day: string;
  phase: MarketPhase;
  session: AfterHoursSession | null;
  next_phase: string | null;
  next_phase_at: string | null;
  speed: number;
}

export const getMarketStatus = () => api.get<MarketStatus>("market/status");

export const marketStatusQueryOptions = () =>
  queryOptions({ queryKey: ["market", "status"], queryFn: getMarketStatus, refetchInterval: 30_000, retry: false });

export const useMarketStatus = () => useQuery(marketStatusQueryOptions());
