import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";

import { api, type Page } from "@/lib/api";
import type { MarketSymbol } from "@/types/models";

export interface SymbolListParams {
  search?: string;
  market?: string;
  page?: number;
  page_size?: number;
}

export const getSymbols = (params: SymbolListParams) =>
  api.get<Page<MarketSymbol> | MarketSymbol[]>("market/symbols", { ...params });

export const symbolsQueryOptions = (params: SymbolListParams) =>
  queryOptions({ queryKey: ["market", "symbols", params], queryFn: () => getSymbols(params), placeholderData: keepPreviousData });

export const useSymbols = (params: SymbolListParams) => useQuery(symbolsQueryOptions(params));

export const getSymbol = (code: string) => api.get<MarketSymbol>(`market/symbols/${encodeURIComponent(code)}`);

export const symbolQueryOptions = (code: string) =>
  queryOptions({ queryKey: ["market", "symbol", code], queryFn: () => getSymbol(code), staleTime: 30_000 });

export const useSymbol = (code: string) => useQuery(symbolQueryOptions(code));
