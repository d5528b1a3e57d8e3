import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, resultsOf, type Page } from "@/lib/api";
import type { Job, Strategy, StrategyInput, StrategyRun, StrategyRunDetail } from "@/types/models";

export const strategiesKey = ["strategies"] as const;

export const getStrategies = async () => resultsOf(await api.get<Page<Strategy> | Strategy[]>("strategies"));

export const strategiesQueryOptions = () => queryOptions({ queryKey: [...strategiesKey, "list"], queryFn: getStrategies });

export const useStrategies = () => useQuery(strategiesQueryOptions());


export function useCreateStrategy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: StrategyInput) => api.post<Strategy>("strategies", input),
    onSuccess: () => client.invalidateQueries({ queryKey: strategiesKey }),
  });
}

export function useDeleteStrategy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<void>(`strategies/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: strategiesKey }),
  });
}

export function useStartRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, kind }: { id: number; kind: "train" | "backtest" | "walk-forward" }) =>
      api.post<StrategyRun>(`strategies/${id}/${kind}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: strategiesKey });
      void client.invalidateQueries({ queryKey: ["jobs"] });
    },
  });
}

export function useDeploy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, account, interval_seconds }: { id: number; account: number; interval_seconds?: number }) =>
      api.post<Strategy>(`strategies/${id}/deploy`, { account, ...(interval_seconds ? { interval_seconds } : {}) }),
    onSuccess: () => client.invalidateQueries({ queryKey: strategiesKey }),
  });
}

export function useUndeploy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Strategy>(`strategies/${id}/undeploy`),
    onSuccess: () => client.invalidateQueries({ queryKey: strategiesKey }),
  });
}

export const getRuns = async (strategyId: number) =>
  resultsOf(await api.get<Page<StrategyRun> | StrategyRun[]>(`strategies/${strategyId}/runs`));

export const runsQueryOptions = (strategyId: number) =>
  queryOptions({ queryKey: [...strategiesKey, "runs", strategyId], queryFn: () => getRuns(strategyId) });

export const useRuns = (strategyId: number) => useQuery(runsQueryOptions(strategyId));

export const getRun = (runId: number) => api.get<StrategyRunDetail>(`strategies/runs/${runId}`);

export const useRun = (runId: number | null) =>
  useQuery({ queryKey: [...strategiesKey, "run", runId], queryFn: () => getRun(runId as number), enabled: runId !== null });

export const getJob = (id: number) => api.get<Job>(`jobs/${id}`);

export const getJobs = async () => resultsOf(await api.get<Page<Job> | Job[]>("jobs"));

export const useJobs = () => useQuery({ queryKey: ["jobs", "list"], queryFn: getJobs, refetchInterval: 10_000 });
