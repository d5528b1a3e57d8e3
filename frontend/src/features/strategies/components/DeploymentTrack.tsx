import { ColorType, createChart, LineSeries, type Time } from "lightweight-charts";
import { useEffect, useRef } from "react";

import { QueryState } from "@/components/QueryState";
import { directionClass, formatPercent, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";

import { useTrackRecord } from "../api/deployment";
import type { TrackDay } from "../types";

const COLORS = { live: "#e0323c", backtest: "#8b949e" };

/** The deployment's track record: per trading day, the paper account beside the backtest of the same days. */
export function DeploymentTrack({ strategyId }: { strategyId: number }) {
  const t = useT();
  const record = useTrackRecord(strategyId);
  return (
    <section className="deployment-track" aria-label={t("track.title")} data-testid="deployment-track">
      <h4>{t("track.title")}</h4>
      <small className="muted">{t("track.hint")}</small>
      <QueryState query={record}>
        {(data) => (
          <>
            <p className="muted">
              {t("track.since")} {data.first_day} · {t("strategy.startEquity")} {formatWon(data.start_equity)} ·{" "}
              {data.backtest_through ? t("track.backtestThrough", { date: data.backtest_through }) : t("track.backtestPending")}
            </p>
            {data.backtest_error && <p className="field-error">{data.backtest_error}</p>}
            {data.days.length === 0 ? (
              <div className="state state-empty">{t("track.noDays")}</div>
            ) : (
              <>
                <TrackChart days={data.days} />
                <TrackTable days={data.days} />
              </>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

function TrackChart({ days }: { days: TrackDay[] }) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const theme = useUiStore((s) => s.theme);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const chart = createChart(element, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: theme === "dark" ? "#c9d1d9" : "#333" },
      grid: { vertLines: { visible: false }, horzLines: { color: theme === "dark" ? "#1f2733" : "#eef0f3" } },
      localization: { priceFormatter: (p: number) => `${(p * 100).toFixed(2)}%` },
    });
    // Returns, not equity: live equity moves with deposits, its return since the deployment does not.
    const line = (key: "live_return" | "backtest_return", color: string, width: 1 | 2) => {
      const points = days
        .filter((day) => day[key] !== null && day[key] !== undefined)
        .map((day) => ({ time: day.date as Time, value: Number(day[key]) }));
      if (points.length) chart.addSeries(LineSeries, { color, lineWidth: width, priceLineVisible: false }).setData(points);
    };
    line("backtest_return", COLORS.backtest, 1);
    line("live_return", COLORS.live, 2);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [days, theme]);
  return (
    <div>
      <div className="legend">
        <span style={{ color: COLORS.live }}>■ {t("track.live")}</span> <span style={{ color: COLORS.backtest }}>■ {t("track.backtest")}</span>
      </div>
      <div ref={container} className="chart chart-small" data-testid="track-chart" data-points={days.length} />
    </div>
  );
}

function TrackTable({ days }: { days: TrackDay[] }) {
  const t = useT();
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? "-" : formatPercent(value, { fraction: true }));
  return (
    <div className="table-scroll" style={{ overflowX: "auto" }}>
      <table className="table" data-testid="track-days">
        <thead>
          <tr>
            <th>{t("track.date")}</th>
            <th className="right">{t("track.liveEquity")}</th>
            <th className="right">{t("track.liveReturn")}</th>
            <th className="right">{t("track.liveOrders")}</th>
            <th className="right">{t("track.backtestEquity")}</th>
            <th className="right">{t("track.backtestReturn")}</th>
            <th className="right">{t("strategy.fills")}</th>
            <th className="right">{t("track.difference")}</th>
          </tr>
        </thead>
        <tbody>
          {[...days].reverse().map((day) => (
            <tr key={day.date} data-date={day.date}>
              <td>{day.date}</td>
              <td className="right num">{formatWon(day.live_equity)}</td>
              <td className={`right num ${directionClass(day.live_return)}`}>{percent(day.live_return)}</td>
              <td className="right num">{day.live_orders}</td>
              <td className="right num">{formatWon(day.backtest_equity)}</td>
              <td className={`right num ${directionClass(day.backtest_return)}`}>{percent(day.backtest_return)}</td>
              <td className="right num">{day.backtest_trades ?? "-"}</td>
              <td className={`right num ${directionClass(day.difference)}`}>{percent(day.difference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
