import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { CandleSeries, Timeframe } from "@/types/models";

export const getCandles = (symbol: string, timeframe: Timeframe) =>
  api.get<CandleSeries>("historical/candles", { symbol, timeframe });

export const candlesQueryOptions = (symbol: string, timeframe: Timeframe) =>
  queryOptions({ queryKey: ["historical", "candles", symbol, timeframe], queryFn: () => getCandles(symbol, timeframe), staleTime: 60_000 });

export const useCandles = (symbol: string, timeframe: Timeframe) => useQuery(candlesQueryOptions(symbol, timeframe));
