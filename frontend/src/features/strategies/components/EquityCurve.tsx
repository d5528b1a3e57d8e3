import { ColorType, createChart, LineSeries, type Time } from "lightweight-charts";
import { useEffect, useRef } from "react";

import { useT } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";
import type { StrategyRun } from "@/types/models";

type Curve = NonNullable<StrategyRun["equity_curve"]>;

const COLORS = { equity: "#e0323c", benchmark: "#8b949e", baseline: "#d29922" };

/** The strategy's equity against the benchmark (and the buy-and-hold baseline), daily. */
export function EquityCurve({ curve }: { curve: Curve }) {
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
      localization: { priceFormatter: (p: number) => Math.round(p).toLocaleString("ko-KR") },
    });
    const line = (key: "equity" | "benchmark" | "baseline") => {
      const points = curve
        .filter((point) => point[key] !== null && point[key] !== undefined)
        .map((point) => ({ time: point.date as Time, value: Number(point[key]) }));
      if (!points.length) return;
      chart.addSeries(LineSeries, { color: COLORS[key], lineWidth: key === "equity" ? 2 : 1, priceLineVisible: false }).setData(points);
    };
    line("benchmark");
    line("baseline");
    line("equity");
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [curve, theme]);
  return (
    <div>
      <div className="legend">
        <span style={{ color: COLORS.equity }}>■ {t("strategy.equity")}</span>{" "}
        <span style={{ color: COLORS.benchmark }}>■ {t("strategy.benchmark")}</span>{" "}
        <span style={{ color: COLORS.baseline }}>■ {t("strategy.baseline")}</span>
      </div>
      <div ref={container} className="chart chart-small" data-testid="equity-curve" data-points={curve.length} />
    </div>
  );
}
