import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, resultsOf, type Page } from "@/lib/api";
import type { Order, OrderCosts, OrderInput, OrderStatus } from "@/types/models";

export interface OrderFilter {
  account?: number;
  status?: OrderStatus | string;
  symbol?: string;
}

export const getOrders = async (filter: OrderFilter) =>
  resultsOf(await api.get<Page<Order> | Order[]>("orders", { ...filter }));

export const ordersQueryOptions = (filter: OrderFilter) =>
  queryOptions({ queryKey: ["orders", "orders", filter], queryFn: () => getOrders(filter), enabled: !!filter.account, refetchInterval: 15_000 });

export const useOrders = (filter: OrderFilter) => useQuery(ordersQueryOptions(filter));

export const placeOrder = (input: OrderInput) => api.post<Order>("orders", input);

export function usePlaceOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: placeOrder,
    onSuccess: () => client.invalidateQueries({ queryKey: ["orders"] }),
  });
}

export function useCancelOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Order>(`orders/${id}/cancel`),
    onSuccess: () => client.invalidateQueries({ queryKey: ["orders"] }),
  });
}

export const getOrderCosts = () => api.get<OrderCosts>("orders/costs");

export const orderCostsQueryOptions = () =>
  queryOptions({ queryKey: ["orders", "costs"], queryFn: getOrderCosts, staleTime: 60 * 60_000 });

export const useOrderCosts = () => useQuery(orderCostsQueryOptions());
