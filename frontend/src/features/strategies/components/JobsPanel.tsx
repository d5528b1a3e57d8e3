import { ProgressBar } from "@/components/ProgressBar";
import { QueryState } from "@/components/QueryState";
import { formatDateTime } from "@/lib/format";
import { hasMessage, useT } from "@/lib/i18n";
import type { Job } from "@/types/models";

import { useJobs } from "../api/strategies";
import { useJobProgress } from "../hooks/useJobProgress";

const ACTIVE = new Set(["queued", "running"]);

/** The user's recent background jobs (training, backtests, backfills) with live progress. */
export function JobsPanel() {
  const t = useT();
  const jobs = useJobs();
  return (
    <section className="card" aria-labelledby="jobs-title">
      <h2 id="jobs-title">{t("strategy.jobs")}</h2>
      <QueryState query={jobs} isEmpty={(list) => list.length === 0}>
        {(list) => (
          <ul className="runs" data-testid="jobs">
            {list.slice(0, 10).map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}

function JobRow({ job: initial }: { job: Job }) {
  const t = useT();
  const live = useJobProgress(ACTIVE.has(initial.status ?? "") ? initial.id : null);
  const job = live.data ?? initial;
  const status = job.status ?? "queued";
  const key = `status.${status}`;
  const kindKey = `job.${job.kind}`;
  const kind = hasMessage(kindKey) ? t(kindKey) : job.kind;
  return (
    <li className="run" data-job-id={job.id} data-status={status}>
      <div className="run-head">
        <span className="tag">{kind}</span>
        <span className="muted">{formatDateTime(job.created_at)}</span>
        <span className={`status status-${status}`}>{hasMessage(key) ? t(key) : status}</span>
        <ProgressBar value={Number(job.progress ?? 0)} status={status} label={kind} />
        {job.message && <span className="muted">{job.message}</span>}
        {job.error && <span className="field-error">{job.error}</span>}
      </div>
    </li>
  );
}
