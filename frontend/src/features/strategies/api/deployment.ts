import { queryOptions, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";

import type { TrackRecord } from "../types";
import { strategiesKey } from "./strategies";

/** GET strategies/<id>/deployment: the deployment's track record, day by day beside its backtest. */
export const getTrackRecord = (strategyId: number) => api.get<TrackRecord>(`strategies/${strategyId}/deployment`);

export const trackRecordQueryOptions = (strategyId: number) =>
  queryOptions({
    queryKey: [...strategiesKey, "deployment", strategyId],
    queryFn: () => getTrackRecord(strategyId),
    refetchInterval: 60_000,
  });

export const useTrackRecord = (strategyId: number) => useQuery(trackRecordQueryOptions(strategyId));
