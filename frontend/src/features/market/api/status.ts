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

/**
 * The market clock's time (ms) at wall time `wallNow`: the status's `now` when it was fetched
 * (`fetchedAt`, wall ms), run on at the clock's speed. A practice clock is not the wall clock, so
 * anything counted against market times (a VI's end, the practice time shown) counts on this.
 */
export function marketTimeAt(status: Pick<MarketStatus, "now" | "speed">, fetchedAt: number, wallNow: number): number {
  return new Date(status.now).getTime() + (wallNow - fetchedAt) * (status.speed || 1);
}
