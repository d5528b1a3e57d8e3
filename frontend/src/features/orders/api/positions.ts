import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, resultsOf, type Page } from "@/lib/api";
import type { Fill, Position } from "@/types/models";

export const getPositions = async (account: number) =>
  resultsOf(await api.get<Page<Position> | Position[]>("positions", { account }));

export const positionsQueryOptions = (account: number | null) =>
  queryOptions({
    queryKey: ["orders", "positions", account],
    queryFn: () => getPositions(account as number),
    enabled: account !== null,
    refetchInterval: 15_000,
  });

export const usePositions = (account: number | null) => useQuery(positionsQueryOptions(account));

export const getFills = async (account: number) => resultsOf(await api.get<Page<Fill> | Fill[]>("trades", { account }));

export const fillsQueryOptions = (account: number | null) =>
  queryOptions({ queryKey: ["orders", "fills", account], queryFn: () => getFills(account as number), enabled: account !== null });

export const useFills = (account: number | null) => useQuery(fillsQueryOptions(account));
