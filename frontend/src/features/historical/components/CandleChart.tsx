import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type Time,
} from "lightweight-charts";
import { useEffect, useRef, useState } from "react";

import { QueryState } from "@/components/QueryState";
import { useT } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";
import type { Candle, Quote, Timeframe } from "@/types/models";

import { useCandles } from "../api/candles";
import { liveBar } from "./liveBar";

export const RISE = "#e0323c";
export const FALL = "#1e6fe0";
const TIMEFRAMES: Timeframe[] = ["1d", "1w", "1M"];
const TIMEFRAME_LABEL: Record<Timeframe, { ko: string; en: string }> = {
  "1d": { ko: "일", en: "1D" },
  "1w": { ko: "주", en: "1W" },
  "1M": { ko: "월", en: "1M" },
};

function volumeColor(bar: Candle): string {
  return bar.close >= bar.open ? `${RISE}80` : `${FALL}80`;
}

/** Candlesticks with volume below; the last bar follows the live quote. */
export function CandleChart({ code, quote }: { code: string; quote: Quote | null }) {
  const t = useT();
  const language = useUiStore((s) => s.language);
  const [timeframe, setTimeframe] = useState<Timeframe>("1d");
  const candles = useCandles(code, timeframe);
  return (
    <section className="card chart-card" aria-label={t("market.chart")}>
      <div className="card-head">
        <h2>{t("market.chart")}</h2>
        <div className="segmented" role="group" aria-label="timeframe">
          {TIMEFRAMES.map((tf) => (
            <button
              key={tf}
              type="button"
              className={tf === timeframe ? "active" : ""}
              aria-pressed={tf === timeframe}
              onClick={() => setTimeframe(tf)}
            >
              {TIMEFRAME_LABEL[tf][language]}
            </button>
          ))}
        </div>
        {candles.data?.simulated && <span className="tag">{t("market.simulated")}</span>}
      </div>
      <QueryState query={candles}>
        {(data) => <ChartCanvas key={`${code}-${timeframe}`} candles={data.candles} quote={quote} timeframe={timeframe} />}
      </QueryState>
    </section>
  );
}

function ChartCanvas({ candles, quote, timeframe }: { candles: Candle[]; quote: Quote | null; timeframe: Timeframe }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const priceSeries = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volumeSeries = useRef<ISeriesApi<"Histogram"> | null>(null);
  const lastBar = useRef<Candle | undefined>(undefined);
  const theme = useUiStore((s) => s.theme);
  const [lastClose, setLastClose] = useState<number | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const dark = theme === "dark";
    const created = createChart(element, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: "transparent" },
        textColor: dark ? "#c9d1d9" : "#333",
        fontFamily: "inherit",
      },
      grid: {
        vertLines: { color: dark ? "#1f2733" : "#eef0f3" },
        horzLines: { color: dark ? "#1f2733" : "#eef0f3" },
      },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
      localization: { priceFormatter: (p: number) => Math.round(p).toLocaleString("ko-KR") },
    });
    const price = created.addSeries(CandlestickSeries, {
      upColor: RISE,
      downColor: FALL,
      borderUpColor: RISE,
      borderDownColor: FALL,
      wickUpColor: RISE,
      wickDownColor: FALL,
      priceFormat: { type: "price", precision: 0, minMove: 1 },
    });
    price.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.28 } });
    const volume = created.addSeries(HistogramSeries, { priceScaleId: "", priceFormat: { type: "volume" } });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
    price.setData(candles.map((c) => ({ time: c.time as Time, open: c.open, high: c.high, low: c.low, close: c.close })));
    volume.setData(candles.map((c) => ({ time: c.time as Time, value: c.volume, color: volumeColor(c) })));
    created.timeScale().fitContent();
    chart.current = created;
    priceSeries.current = price;
    volumeSeries.current = volume;
    lastBar.current = candles.at(-1);
    setLastClose(candles.at(-1)?.close ?? null);
    return () => {
      created.remove();
      chart.current = null;
      priceSeries.current = null;
      volumeSeries.current = null;
    };
  }, [candles, theme]);

  useEffect(() => {
    if (!quote || !priceSeries.current || !volumeSeries.current) return;
    const next = liveBar(lastBar.current, quote, timeframe);
    if (!next) return;
    const { bar } = next;
    priceSeries.current.update({ time: bar.time as Time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
    volumeSeries.current.update({ time: bar.time as Time, value: bar.volume, color: volumeColor(bar) });
    lastBar.current = bar;
    setLastClose(bar.close);
  }, [quote, timeframe]);

  return (
    <div
      ref={container}
      className="chart"
      data-testid="price-chart"
      data-bars={candles.length}
      data-last-close={lastClose ?? ""}
    />
  );
}
