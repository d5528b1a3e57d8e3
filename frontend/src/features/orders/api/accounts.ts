import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, resultsOf, type Page } from "@/lib/api";
import type { Account } from "@/types/models";

export const accountsKey = ["orders", "accounts"] as const;

export const getAccounts = async () => resultsOf(await api.get<Page<Account> | Account[]>("accounts"));

export const accountsQueryOptions = () => queryOptions({ queryKey: accountsKey, queryFn: getAccounts, refetchInterval: 10_000 });

export const useAccounts = () => useQuery(accountsQueryOptions());

export function useCreateAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; initial_cash?: number }) => api.post<Account>("accounts", input),
    onSuccess: () => client.invalidateQueries({ queryKey: accountsKey }),
  });
}

export function useResetAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, initial_cash }: { id: number; initial_cash?: number }) =>
      api.post<Account>(`accounts/${id}/reset`, initial_cash ? { initial_cash } : {}),
    onSuccess: () => client.invalidateQueries({ queryKey: ["orders"] }),
  });
}

export function useDeposit() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, amount }: { id: number; amount: number }) => api.post<Account>(`accounts/${id}/deposit`, { amount }),
    onSuccess: () => client.invalidateQueries({ queryKey: accountsKey }),
  });
}
