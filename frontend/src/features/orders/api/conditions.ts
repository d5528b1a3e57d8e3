import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, resultsOf, type Page } from "@/lib/api";
import type { BracketInput, BracketResult, Condition, ConditionInput, ConditionStatus } from "@/types/models";

export interface ConditionFilter {
  account?: number;
  status?: ConditionStatus;
  symbol?: string;
}

/** Under ["orders"]: every /ws/orders order or fill event refreshes them with the orders (useOrderStream). */
export const conditionsKey = ["orders", "conditions"] as const;

export const getConditions = async (filter: ConditionFilter) =>
  resultsOf(await api.get<Page<Condition> | Condition[]>("conditions", { ...filter }));

/**
 * Polled as well: a leg arming after its entry fills, an OCO sibling cancelled, a failed trigger
 * change a condition without an order event of their own.
 */
export const conditionsQueryOptions = (filter: ConditionFilter) =>
  queryOptions({
    queryKey: [...conditionsKey, filter],
    queryFn: () => getConditions(filter),
    enabled: !!filter.account,
    refetchInterval: 10_000,
  });

export const useConditions = (filter: ConditionFilter) => useQuery(conditionsQueryOptions(filter));

export const placeCondition = (input: ConditionInput) => api.post<Condition>("conditions", input);

export const placeBracket = (input: BracketInput) => api.post<BracketResult>("conditions/bracket", input);

/** One mutation for both kinds, so the ticket has one pending state and one error to show. */
export type ConditionRequest = { kind: "condition"; request: ConditionInput } | { kind: "bracket"; request: BracketInput };

export const placeConditionRequest = async (input: ConditionRequest): Promise<Condition[]> =>
  input.kind === "bracket" ? (await placeBracket(input.request)).conditions : [await placeCondition(input.request)];

export function usePlaceCondition() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: placeConditionRequest,
    // ["orders"]: a bracket's entry buy is an order too.
    onSuccess: () => client.invalidateQueries({ queryKey: ["orders"] }),
  });
}

export const cancelCondition = (id: number) => api.post<Condition>(`conditions/${id}/cancel`);

export function useCancelCondition() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: cancelCondition,
    onSuccess: () => client.invalidateQueries({ queryKey: conditionsKey }),
  });
}
