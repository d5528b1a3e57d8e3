import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, resultsOf, type Page } from "@/lib/api";
import type { Order, OrderCancelInput, OrderCosts, OrderInput, OrderModifyInput, OrderStatus } from "@/types/models";

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

/** One order, with `queue_ahead` (the shares ahead of it at its price while it rests), which lists leave out. */
export const getOrder = (id: number) => api.get<Order>(`orders/${id}`);

export const orderQueryOptions = (id: number) =>
  queryOptions({ queryKey: ["orders", "order", id], queryFn: () => getOrder(id), staleTime: 5_000, refetchInterval: 15_000 });

export const useOrder = (id: number, enabled = true) => useQuery({ ...orderQueryOptions(id), enabled });

/** 취소: all that is open (empty body) or `quantity` of it. */
export const cancelOrder = ({ id, request }: { id: number; request: OrderCancelInput }) => api.post<Order>(`orders/${id}/cancel`, request);

export function useCancelOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: cancelOrder,
    onSuccess: () => client.invalidateQueries({ queryKey: ["orders"] }),
  });
}

/** 정정: a new price and/or open quantity. */
export const modifyOrder = ({ id, request }: { id: number; request: OrderModifyInput }) => api.post<Order>(`orders/${id}/modify`, request);

export function useModifyOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: modifyOrder,
    onSuccess: () => client.invalidateQueries({ queryKey: ["orders"] }),
  });
}

export const getOrderCosts = () => api.get<OrderCosts>("orders/costs");

export const orderCostsQueryOptions = () =>
  queryOptions({ queryKey: ["orders", "costs"], queryFn: getOrderCosts, staleTime: 60 * 60_000 });

export const useOrderCosts = () => useQuery(orderCostsQueryOptions());
