import { useState } from "react";

import { FormError } from "@/components/FieldError";
import { ProgressBar } from "@/components/ProgressBar";
import { QueryState } from "@/components/QueryState";
import { formatDateTime } from "@/lib/format";
import { hasMessage, useT } from "@/lib/i18n";
import type { Strategy, StrategyRun } from "@/types/models";

import { useDeleteStrategy, useDeploy, useRun, useRuns, useStartRun, useUndeploy } from "../api/strategies";
import { useJobProgress } from "../hooks/useJobProgress";
import type { WalkForwardWindow } from "../types";
import { DeploymentTrack } from "./DeploymentTrack";
import { EquityCurve } from "./EquityCurve";
import { MetricsTable } from "./MetricsTable";
import { WindowsTable } from "./WindowsTable";

const ACTIVE = new Set(["queued", "running"]);

export function StrategyCard({ strategy, accounts }: { strategy: Strategy; accounts: { id: number; name: string }[] }) {
  const t = useT();
  const runs = useRuns(strategy.id);
  const start = useStartRun();
  const deploy = useDeploy();
  const undeploy = useUndeploy();
  const remove = useDeleteStrategy();
  const [account, setAccount] = useState<number | null>(null);
  const [openRun, setOpenRun] = useState<number | null>(null);
  const deployed = !!strategy.deployment && strategy.deployment.is_active !== false;
  const chosenAccount = account ?? accounts[0]?.id ?? null;

  return (
    <article className="card strategy-card" data-testid="strategy-card" data-strategy-id={strategy.id}>
      <div className="card-head">
        <h3>
          {strategy.name} <span className="tag">{strategy.algorithm}</span>
          {strategy.is_trained && <span className="tag tag-ok">{t("strategy.trained")}</span>}
          {deployed && <span className="tag tag-live">{t("strategy.deployed")}</span>}
        </h3>
        <span className="muted">
          {strategy.symbols.join(", ")} · {strategy.train_start}–{strategy.train_end} / {strategy.test_start}–{strategy.test_end}
        </span>
      </div>
      <div className="actions">
        <button type="button" className="btn" disabled={start.isPending} onClick={() => start.mutate({ id: strategy.id, kind: "train" })}>
          {t("strategy.train")}
        </button>
        <button
          type="button"
          className="btn"
          disabled={start.isPending || !strategy.is_trained}
          onClick={() => start.mutate({ id: strategy.id, kind: "backtest" })}
        >
          {t("strategy.backtest")}
        </button>
        <button
          type="button"
          className="btn"
          disabled={start.isPending || !strategy.walk_forward_months}
          title={t("walkForward.hint")}
          onClick={() => start.mutate({ id: strategy.id, kind: "walk-forward" })}
        >
          {t("walkForward.title")}
        </button>
        {deployed ? (
          <button type="button" className="btn" disabled={undeploy.isPending} onClick={() => undeploy.mutate(strategy.id)}>
            {t("strategy.undeploy")}
          </button>
        ) : (
          <>
            <select aria-label={t("account.select")} value={chosenAccount ?? ""} onChange={(e) => setAccount(Number(e.target.value))}>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn"
              disabled={deploy.isPending || !strategy.is_trained || chosenAccount === null}
              onClick={() => chosenAccount !== null && deploy.mutate({ id: strategy.id, account: chosenAccount })}
            >
              {t("strategy.deploy")}
            </button>
          </>
        )}
        <button type="button" className="btn btn-small btn-danger" disabled={remove.isPending} onClick={() => remove.mutate(strategy.id)}>
          {t("strategy.delete")}
        </button>
      </div>
      <FormError error={start.error ?? deploy.error ?? undeploy.error ?? remove.error} />
      {deployed && <DeploymentTrack strategyId={strategy.id} />}
      <h4>{t("strategy.runs")}</h4>
      <QueryState query={runs} isEmpty={(list) => list.length === 0}>
        {(list) => (
          <ul className="runs">
            {list.map((run) => (
              <RunRow key={run.id} run={run} open={openRun === run.id} onToggle={() => setOpenRun(openRun === run.id ? null : run.id)} />
            ))}
          </ul>
        )}
      </QueryState>
    </article>
  );
}

function RunRow({ run, open, onToggle }: { run: StrategyRun; open: boolean; onToggle: () => void }) {
  const t = useT();
  const job = useJobProgress(ACTIVE.has(run.status) ? run.job : null);
  const status = job.data?.status ?? run.status;
  const statusKey = `status.${status}`;
  return (
    <li className="run" data-run-id={run.id} data-status={status}>
      <div className="run-head">
        <span className="tag">
          {run.kind === "train" ? t("strategy.train") : run.kind === "walk_forward" ? t("walkForward.title") : t("strategy.backtest")}
        </span>
        <span className="muted">{formatDateTime(run.created_at)}</span>
        <span className={`status status-${status}`}>{hasMessage(statusKey) ? t(statusKey) : status}</span>
        {ACTIVE.has(status) ? (
          <ProgressBar value={Number(job.data?.progress ?? 0)} status={status} label={t("strategy.progress")} />
        ) : (
          status === "succeeded" && (
            <button type="button" className="btn btn-small" onClick={onToggle} aria-expanded={open}>
              {t("strategy.result")}
            </button>
          )
        )}
        {job.data?.message && ACTIVE.has(status) && <span className="muted">{job.data.message}</span>}
      </div>
      {open && <RunResult runId={run.id} />}
    </li>
  );
}

function RunResult({ runId }: { runId: number }) {
  const t = useT();
  const run = useRun(runId);
  return (
    <QueryState query={run}>
      {(data) => {
        const windows = Array.isArray(data.windows) ? (data.windows as WalkForwardWindow[]) : [];
        return (
          <div className="run-result">
            {data.kind === "walk_forward" && <h5>{t("walkForward.stitched")}</h5>}
            {data.equity_curve && data.equity_curve.length > 0 && <EquityCurve curve={data.equity_curve} />}
            <MetricsTable metrics={data.metrics} benchmark={data.benchmark_metrics ?? null} baseline={data.baseline_metrics ?? null} />
            {windows.length > 0 && <WindowsTable windows={windows} />}
          </div>
        );
      }}
    </QueryState>
  );
}
