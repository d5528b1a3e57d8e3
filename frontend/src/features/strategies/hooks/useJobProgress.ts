import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";

import { useSocketStatuses, useStreamMessages } from "@/lib/realtime";
import type { Job, JobMessage } from "@/types/models";

import { getJob } from "../api/strategies";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * A job's live progress: pushed on /ws/jobs; while that stream is not open (or for a job that
 * has not reported yet) it falls back to polling GET /api/v1/jobs/<id>.
 */
export function useJobProgress(jobId: number | null) {
  const client = useQueryClient();
  const streamOpen = useSocketStatuses((s) => s.statuses.jobs === "open");
  const query = useQuery({
    queryKey: ["jobs", "job", jobId],
    queryFn: () => getJob(jobId as number),
    enabled: jobId !== null,
    refetchInterval: (q) => {
      const job = q.state.data;
      if (job && FINISHED.has(job.status ?? "")) return false;
      return streamOpen ? 10_000 : 1_500;
    },
  });
  const onMessage = useCallback(
    (message: JobMessage) => {
      if (message.type !== "job" || message.job.id !== jobId) return;
      client.setQueryData<Job>(["jobs", "job", jobId], (old) => ({ ...(old as Job), ...message.job }) as Job);
    },
    [client, jobId],
  );
  useStreamMessages("jobs", onMessage);
  // However the end arrives (pushed or polled), refresh what it changed: runs, is_trained, results.
  const status = query.data?.status;
  const lastStatus = useRef(status);
  useEffect(() => {
    const was = lastStatus.current;
    lastStatus.current = status;
    if (status && FINISHED.has(status) && was !== status) {
      void client.invalidateQueries({ queryKey: ["strategies"] });
      void client.invalidateQueries({ queryKey: ["jobs", "list"] });
    }
  }, [client, status]);
  return query;
}
