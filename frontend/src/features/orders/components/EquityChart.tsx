import {
  AreaSeries,
  type AutoscaleInfo,
  BaselineSeries,
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  LineStyle,
  type Time,
} from "lightweight-charts";
import { useEffect, useRef, useState } from "react";

import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatPercent, formatWon } from "@/lib/format";
import { useUiStore } from "@/stores/ui";
import type { Account } from "@/types/models";

import { type AccountHistory, useAccountHistory } from "../api/history";
import { chartSeries, EQUITY_PERIODS, type EquityMode, type EquityPeriod, periodChange } from "../equity";
import { roundedPercent } from "../portfolio";
import { usePortfolioText } from "../portfolioText";

const RISE = "#e0323c";
const FALL = "#1e6fe0";
const ACCENT = "#4b6bfb";

/** Axis labels short enough for a phone: an account of 1억 or more in 만 원 (10,023만), a smaller one in won. */
const axisLabels = (level: number) => (level >= 1e8 ? (value: number) => `${formatWon(value / 1e4)}만` : (value: number) => formatWon(value));

/** 자산 추이: the account's equity (or return) per day from its snapshots, the last point live. */
export function EquityChartCard({ account }: { account: Account }) {
  const p = usePortfolioText();
  const [period, setPeriod] = useState<EquityPeriod>("1M");
  const [mode, setMode] = useState<EquityMode>("equity");
  const history = useAccountHistory(account.id, period);
  return (
    <section className="card equity-card" aria-labelledby="equity-title">
      <div className="card-head">
        <h2 id="equity-title">{p("equity.title")}</h2>
        <div className="segmented" role="group" aria-label={p("equity.period")}>
          {EQUITY_PERIODS.map((value) => (
            <button key={value} type="button" className={period === value ? "active" : ""} aria-pressed={period === value} onClick={() => setPeriod(value)}>
              {p(`equity.p${value}` as const)}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label={p("equity.title")}>
          {(["equity", "return"] as const).map((value) => (
            <button key={value} type="button" className={mode === value ? "active" : ""} aria-pressed={mode === value} onClick={() => setMode(value)}>
              {p(value === "equity" ? "equity.modeEquity" : "equity.modeReturn")}
            </button>
          ))}
        </div>
      </div>
      <QueryState query={history} isEmpty={(h) => h.points.length === 0}>
        {(data) => <EquityFigures history={data} mode={mode} />}
      </QueryState>
    </section>
  );
}

function EquityFigures({ history, mode }: { history: AccountHistory; mode: EquityMode }) {
  const p = usePortfolioText();
  const change = periodChange(history.points);
  const last = history.points.at(-1);
  return (
    <>
      <dl className="equity-figures">
        <div>
          <dt>{p("equity.now")}</dt>
          <dd className="num" data-testid="equity-now">{formatWon(last?.equity)}</dd>
        </div>
        <div>
          <dt>{p("equity.change")}</dt>
          <dd data-testid="equity-change" data-value={change.profitLoss}>
            <Signed value={change.profitLoss} />
          </dd>
        </div>
        <div>
          <dt>{p("equity.changeRate")}</dt>
          <dd>
            <Signed value={roundedPercent(change.returnRate)} percent />
          </dd>
        </div>
      </dl>
      <EquityCanvas history={history} mode={mode} />
      <p className="muted hint">{p("equity.note")}</p>
    </>
  );
}

function EquityCanvas({ history, mode }: { history: AccountHistory; mode: EquityMode }) {
  const p = usePortfolioText();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Area"> | ISeriesApi<"Baseline"> | null>(null);
  const theme = useUiStore((s) => s.theme);
  const intraday = history.timeframe !== "1D";

  // The chart is made once per look (theme, mode, daily or intraday); new points only replace its data.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const dark = theme === "dark";
    const created = createChart(element, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: dark ? "#c9d1d9" : "#333", fontFamily: "inherit" },
      grid: { vertLines: { visible: false }, horzLines: { color: dark ? "#1f2733" : "#eef0f3" } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: intraday, secondsVisible: false },
      localization: {
        priceFormatter: mode === "equity" ? axisLabels(0) : (value: number) => formatPercent(value),
        locale: "ko-KR",
      },
      handleScroll: false,
      handleScale: false,
    });
    // A flat line (a new account, a day without trades) gets a sane scale: at least ±0.1% of its
    // level (±0.1%p for returns) instead of the chart's tiny default range of identical labels.
    const autoscaleInfoProvider = (original: () => AutoscaleInfo | null): AutoscaleInfo | null => {
      const info = original();
      if (!info?.priceRange) return info;
      const { minValue, maxValue } = info.priceRange;
      const least = mode === "equity" ? Math.abs(maxValue) * 0.001 : 0.1;
      const pad = Math.max((maxValue - minValue) * 0.08, least - (maxValue - minValue) / 2, 0);
      return { ...info, priceRange: { minValue: minValue - pad, maxValue: maxValue + pad } };
    };
    series.current =
      mode === "equity"
        ? created.addSeries(AreaSeries, {
            lineColor: ACCENT,
            topColor: `${ACCENT}55`,
            bottomColor: `${ACCENT}05`,
            lineWidth: 2,
            priceLineVisible: false,
            autoscaleInfoProvider,
          })
        : created.addSeries(BaselineSeries, {
            baseValue: { type: "price", price: 0 },
            topLineColor: RISE,
            topFillColor1: `${RISE}40`,
            topFillColor2: `${RISE}05`,
            bottomLineColor: FALL,
            bottomFillColor1: `${FALL}05`,
            bottomFillColor2: `${FALL}40`,
            lineWidth: 2,
            priceLineVisible: false,
            autoscaleInfoProvider,
          });
    chart.current = created;
    return () => {
      created.remove();
      chart.current = null;
      series.current = null;
    };
  }, [theme, mode, intraday]);

  useEffect(() => {
    const line = series.current;
    if (!line || !chart.current) return;
    const points = chartSeries(history, mode);
    line.setData(points.map((point) => ({ time: point.time as Time, value: point.value })));
    if (mode === "equity") {
      // One unit for every label, chosen by the account's size (not per label, which mixes 만 and 원).
      const level = Math.max(0, ...points.map((point) => Math.abs(point.value)));
      chart.current.applyOptions({ localization: { priceFormatter: axisLabels(level) } });
    }
    for (const priceLine of line.priceLines()) line.removePriceLine(priceLine);
    const last = history.points.at(-1);
    // 원금 (the money put in since the reset): the line the equity is above or below.
    if (mode === "equity" && last) {
      line.createPriceLine({ price: last.invested, color: "#868e96", lineStyle: LineStyle.Dashed, lineWidth: 1, axisLabelVisible: false, title: p("equity.invested") });
    }
    chart.current.timeScale().fitContent();
  }, [history, mode, theme, intraday, p]);

  return (
    <div
      ref={container}
      className="chart equity-chart"
      data-testid="equity-chart"
      data-points={history.points.length}
      data-last-equity={history.points.at(-1)?.equity}
      role="img"
      aria-label={p("equity.title")}
    />
  );
}
