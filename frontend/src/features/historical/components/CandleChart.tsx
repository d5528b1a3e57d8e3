import {
  CandlestickSeries,
  ColorType,
  createChart,
  type CreatePriceLineOptions,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  LineStyle,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { QueryState } from "@/components/QueryState";
import { formatWon, seoulDay } from "@/lib/format";
import { type MessageKey, type Translate, useT } from "@/lib/i18n";
import { bollinger, macd, rsi, type Series, sma } from "@/lib/indicators";
import { useUiStore } from "@/stores/ui";
import type { Candle, Fill, Order, OrderSide, Quote, Timeframe } from "@/types/models";

import { useCandles } from "../api/candles";
import { isDraggableOrder } from "../orderLines";
import { intradayBucket, isIntraday, liveBar, liveIntradayBar, periodKey } from "./liveBar";
import { attachOrderLineDrag } from "./orderLineDrag";

export const RISE = "#e0323c";
export const FALL = "#1e6fe0";
/** 감시주문 lines: dotted, in a colour of their own (they are not in the book). */
const CONDITION_COLOR = "#e8590c";
const TIMEFRAMES: Timeframe[] = ["1m", "5m", "15m", "60m", "1d", "1w", "1M"];
const TIMEFRAME_LABEL: Record<Timeframe, MessageKey> = {
  "1m": "chart.tf.1m",
  "5m": "chart.tf.5m",
  "15m": "chart.tf.15m",
  "60m": "chart.tf.60m",
  "1d": "chart.tf.1d",
  "1w": "chart.tf.1w",
  "1M": "chart.tf.1M",
};
/** Bars in the first view: about six months of each interval (126 trading days of daily bars). */
const DEFAULT_VIEW: Record<Timeframe, number> = { "1m": 120, "5m": 156, "15m": 130, "60m": 140, "1d": 126, "1w": 104, "1M": 60 };
const MA_PERIODS = [
  { period: 5, color: "#f0a30a" },
  { period: 20, color: "#d6336c" },
  { period: 60, color: "#2f9e44" },
  { period: 120, color: "#7048e8" },
] as const;
export type Indicator = "ma" | "bb" | "rsi" | "macd";
const INDICATORS: { id: Indicator; label: string }[] = [
  { id: "ma", label: "MA" },
  { id: "bb", label: "BB" },
  { id: "rsi", label: "RSI" },
  { id: "macd", label: "MACD" },
];
const SEOUL_OFFSET_S = 9 * 3600;
// One formatter for every axis label and price line: `toLocaleString` builds a new one per call,
// and the chart formats a few hundred prices per paint.
const PRICE_FORMAT = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 });
const formatPrice = (p: number) => PRICE_FORMAT.format(Math.round(p));

function volumeColor(bar: Candle): string {
  return bar.close >= bar.open ? `${RISE}80` : `${FALL}80`;
}

/**
 * The chart's time of a bar: daily and longer bars by their day; intraday bars as a timestamp
 * shifted to Seoul wall time (the library shows times in UTC).
 */
function chartTime(time: string, timeframe: Timeframe): Time {
  if (!isIntraday(timeframe)) return time.slice(0, 10) as Time;
  return (Math.floor(new Date(time).getTime() / 1000) + SEOUL_OFFSET_S) as UTCTimestamp;
}

/** The bar an instant (a fill's time) belongs to in this interval. */
function barTimeOf(iso: string, timeframe: Timeframe): Time {
  if (isIntraday(timeframe)) return chartTime(intradayBucket(iso, timeframe), timeframe);
  return periodKey(seoulDay(iso), timeframe) as Time;
}

function line(values: Series, times: Time[]) {
  const out: { time: Time; value: number }[] = [];
  values.forEach((value, i) => {
    if (value !== null) out.push({ time: times[i], value });
  });
  return out;
}

type Legend = Pick<Candle, "time" | "open" | "high" | "low" | "close" | "volume">;

/** A 감시주문 as the chart draws it: the price it watches (a trailing stop's where it stands now). */
export interface ConditionLine {
  id: number;
  trigger: "stop" | "take_profit" | "trailing";
  side: OrderSide;
  quantity: number;
  price: number;
  /** Waiting for its entry buy to fill (a bracket leg). */
  waiting: boolean;
}

/** A 정정 proposed from the chart and not yet confirmed or given up: its line stays at `price`. */
export interface ProposedModify {
  orderId: number;
  price: number;
}

function orderLineOptions(order: Order, held: number | null, t: Translate): CreatePriceLineOptions {
  const price = held ?? (order.price as number);
  const moved = held !== null && held !== order.price;
  const base = `${t(order.side === "buy" ? "order.buy" : "order.sell")} ${order.quantity - order.filled_quantity}`;
  return {
    price,
    color: order.side === "buy" ? RISE : FALL,
    lineStyle: LineStyle.Dashed,
    lineWidth: held !== null ? 2 : 1,
    axisLabelVisible: true,
    title: moved ? `${base} ${t("order.modify")} ${formatPrice(order.price as number)} → ${formatPrice(price)}` : base,
  };
}

/**
 * Candlesticks with volume in its own pane, indicators, the user's fills, open orders and 감시주문;
 * the last bar follows the live quote. With `onModifyOrder`, an open limit order's line can be
 * dragged (a finger: after a long press) to a new price, which `onModifyOrder` gets to confirm;
 * `proposal` keeps the line there meanwhile.
 */
export function CandleChart({
  code,
  quote,
  openOrders = [],
  fills = [],
  conditions = [],
  proposal = null,
  onModifyOrder,
}: {
  code: string;
  quote: Quote | null;
  openOrders?: Order[];
  fills?: Fill[];
  conditions?: ConditionLine[];
  proposal?: ProposedModify | null;
  onModifyOrder?: (orderId: number, price: number) => void;
}) {
  const t = useT();
  const [timeframe, setTimeframe] = useState<Timeframe>("1d");
  const [indicators, setIndicators] = useState<Set<Indicator>>(() => new Set<Indicator>(["ma"]));
  const candles = useCandles(code, timeframe);
  const toggle = (id: Indicator) =>
    setIndicators((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <section className="card chart-card" aria-label={t("market.chart")}>
      <div className="card-head chart-head">
        <h2>{t("market.chart")}</h2>
        <div className="segmented scroll-x" role="group" aria-label={t("chart.interval")}>
          {TIMEFRAMES.map((tf) => (
            <button
              key={tf}
              type="button"
              className={tf === timeframe ? "active" : ""}
              aria-pressed={tf === timeframe}
              data-timeframe={tf}
              onClick={() => setTimeframe(tf)}
            >
              {t(TIMEFRAME_LABEL[tf])}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label={t("chart.indicators")}>
          {INDICATORS.map(({ id, label }) => (
            <button key={id} type="button" className={indicators.has(id) ? "active" : ""} aria-pressed={indicators.has(id)} onClick={() => toggle(id)}>
              {label}
            </button>
          ))}
        </div>
        {candles.data?.simulated && <span className="tag">{t("market.simulated")}</span>}
      </div>
      <QueryState query={candles} isEmpty={(data) => data.candles.length === 0}>
        {(data) => (
          <ChartCanvas
            key={`${code}-${timeframe}`}
            candles={data.candles}
            quote={quote}
            timeframe={timeframe}
            indicators={indicators}
            openOrders={openOrders}
            fills={fills}
            conditions={conditions}
            proposal={proposal}
            onModifyOrder={onModifyOrder}
          />
        )}
      </QueryState>
    </section>
  );
}

function ChartCanvas({
  candles,
  quote,
  timeframe,
  indicators,
  openOrders,
  fills,
  conditions,
  proposal,
  onModifyOrder,
}: {
  candles: Candle[];
  quote: Quote | null;
  timeframe: Timeframe;
  indicators: Set<Indicator>;
  openOrders: Order[];
  fills: Fill[];
  conditions: ConditionLine[];
  proposal: ProposedModify | null;
  onModifyOrder?: (orderId: number, price: number) => void;
}) {
  const t = useT();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const priceSeries = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volumeSeries = useRef<ISeriesApi<"Histogram"> | null>(null);
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const lastBar = useRef<Candle | undefined>(undefined);
  const lastVolume = useRef<number | null>(null);
  const theme = useUiStore((s) => s.theme);
  const [lastClose, setLastClose] = useState<number | null>(null);
  // The chart drawn by the effect below, once it exists: the markers, order lines and live bar follow it.
  const [ready, setReady] = useState<IChartApi | null>(null);
  const [legend, setLegend] = useState<Legend | null>(null);
  // The open orders' lines by order id, so that a drag moves its line in place.
  const orderLines = useRef(new Map<number, { order: Order; line: IPriceLine }>());
  // The line being dragged and the price it proposes (no render per pointer move).
  const dragged = useRef<ProposedModify | null>(null);
  // What the drag handlers (attached once) read when they run.
  const latest = useRef({ t, proposal, onModifyOrder });
  useLayoutEffect(() => {
    latest.current = { t, proposal, onModifyOrder };
  });
  const draggable = onModifyOrder !== undefined;
  const panes = 2 + (indicators.has("rsi") ? 1 : 0) + (indicators.has("macd") ? 1 : 0);
  const height = 420 + (panes - 2) * 110;
  const key = [...indicators].sort().join(",");

  const byTime = useMemo(() => {
    const map = new Map<string, Candle>();
    for (const c of candles) map.set(String(chartTime(c.time, timeframe)), c);
    return map;
  }, [candles, timeframe]);

  // The chart is built in tasks of its own after the page's render, so that neither the render nor
  // any one step (candles and volume, then the indicators) blocks the main thread for long.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const dark = theme === "dark";
    let created: IChartApi | null = null;
    let timer = 0;
    let frame = 0;
    const later = (step: () => void) => {
      timer = window.setTimeout(step, 0);
    };
    // After the chart's next paint (its own animation frame), or soon anyway where no frames come.
    const afterPaint = (step: () => void) => {
      frame = requestAnimationFrame(() => later(step));
    };
    const times = candles.map((c) => chartTime(c.time, timeframe));
    const closes = candles.map((c) => c.close);
    const overlay = { lineWidth: 1 as const, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false };

    const addIndicators = (target: IChartApi) => {
      if (indicators.has("ma")) {
        for (const { period, color } of MA_PERIODS) {
          target.addSeries(LineSeries, { ...overlay, color, title: `MA${period}` }).setData(line(sma(closes, period), times));
        }
      }
      if (indicators.has("bb")) {
        const bands = bollinger(closes, 20, 2);
        const style = { ...overlay, color: "#868e96", lineStyle: LineStyle.Dashed };
        target.addSeries(LineSeries, { ...style, title: "BB" }).setData(line(bands.upper, times));
        target.addSeries(LineSeries, { ...style, lineStyle: LineStyle.Solid }).setData(line(bands.middle, times));
        target.addSeries(LineSeries, style).setData(line(bands.lower, times));
      }
      let pane = 2;
      if (indicators.has("rsi")) {
        const series = target.addSeries(LineSeries, { ...overlay, color: "#f08c00", title: "RSI 14", lastValueVisible: true }, pane);
        series.setData(line(rsi(closes, 14), times));
        series.createPriceLine({ price: 70, color: RISE, lineStyle: LineStyle.Dotted, lineWidth: 1, axisLabelVisible: false, title: "" });
        series.createPriceLine({ price: 30, color: FALL, lineStyle: LineStyle.Dotted, lineWidth: 1, axisLabelVisible: false, title: "" });
        pane += 1;
      }
      if (indicators.has("macd")) {
        const m = macd(closes);
        target
          .addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false }, pane)
          .setData(
            m.histogram.flatMap((v, i) => (v === null ? [] : [{ time: times[i], value: v, color: v >= 0 ? `${RISE}99` : `${FALL}99` }])),
          );
        target.addSeries(LineSeries, { ...overlay, color: "#1c7ed6", title: "MACD" }, pane).setData(line(m.macd, times));
        target.addSeries(LineSeries, { ...overlay, color: "#e8590c", title: "Signal" }, pane).setData(line(m.signal, times));
      }
      for (const extra of target.panes().slice(2)) extra.setHeight(100);
    };

    later(() => {
      const chartApi = createChart(element, {
        autoSize: true,
        layout: {
          background: { type: ColorType.Solid, color: "transparent" },
          textColor: dark ? "#c9d1d9" : "#333",
          fontFamily: "inherit",
          panes: { separatorColor: dark ? "#262f3a" : "#e3e6ea" },
        },
        grid: {
          vertLines: { color: dark ? "#1f2733" : "#eef0f3" },
          horzLines: { color: dark ? "#1f2733" : "#eef0f3" },
        },
        rightPriceScale: { borderVisible: false },
        timeScale: { borderVisible: false, timeVisible: isIntraday(timeframe), secondsVisible: false },
        localization: { priceFormatter: formatPrice },
      });
      created = chartApi;
      const price = chartApi.addSeries(CandlestickSeries, {
        upColor: RISE,
        downColor: FALL,
        borderUpColor: RISE,
        borderDownColor: FALL,
        wickUpColor: RISE,
        wickDownColor: FALL,
        priceFormat: { type: "price", precision: 0, minMove: 1 },
      });
      price.setData(candles.map((c, i) => ({ time: times[i], open: c.open, high: c.high, low: c.low, close: c.close })));
      const volume = chartApi.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceLineVisible: false, lastValueVisible: false }, 1);
      volume.setData(candles.map((c, i) => ({ time: times[i], value: c.volume, color: volumeColor(c) })));
      chartApi.panes()[1]?.setHeight(80);
      const shown = DEFAULT_VIEW[timeframe];
      if (candles.length > shown) chartApi.timeScale().setVisibleLogicalRange({ from: candles.length - shown, to: candles.length + 2 });
      else chartApi.timeScale().fitContent();
      chartApi.subscribeCrosshairMove((param) => {
        const bar = param.time !== undefined ? byTime.get(String(param.time)) : undefined;
        setLegend(bar ? { time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume } : null);
      });
      chart.current = chartApi;
      priceSeries.current = price;
      volumeSeries.current = volume;
      markers.current = createSeriesMarkers(price, []);
      lastBar.current = candles.at(-1);
      setLastClose(candles.at(-1)?.close ?? null);
      setReady(chartApi);
      // The indicators in a paint of their own, after the candles' first one.
      afterPaint(() => {
        if (created === chartApi) addIndicators(chartApi);
      });
    });
    return () => {
      window.clearTimeout(timer);
      cancelAnimationFrame(frame);
      created?.remove();
      created = null;
      chart.current = null;
      priceSeries.current = null;
      volumeSeries.current = null;
      markers.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the indicator set is keyed by `key`
  }, [candles, theme, timeframe, key, byTime]);

  // The user's fills: an arrow at the fill's price on its bar.
  useEffect(() => {
    if (!markers.current) return;
    const list: SeriesMarker<Time>[] = fills
      .map((fill) => ({
        time: barTimeOf(fill.time, timeframe),
        position: "atPriceMiddle" as const,
        price: fill.price,
        shape: fill.side === "buy" ? ("arrowUp" as const) : ("arrowDown" as const),
        color: fill.side === "buy" ? RISE : FALL,
        text: `${fill.side === "buy" ? "B" : "S"} ${fill.quantity}`,
        id: String(fill.id),
      }))
      .sort((a, b) => (String(a.time) < String(b.time) ? -1 : String(a.time) > String(b.time) ? 1 : 0));
    markers.current.setMarkers(list);
  }, [fills, timeframe, ready]);

  // Open orders: a dashed line at each order's limit price (or where it is being dragged to).
  useEffect(() => {
    const series = priceSeries.current;
    if (!series) return;
    const lines = new Map<number, { order: Order; line: IPriceLine }>();
    for (const order of openOrders) {
      if (!order.price) continue;
      const held = dragged.current?.orderId === order.id ? dragged.current.price : proposal?.orderId === order.id ? proposal.price : null;
      lines.set(order.id, { order, line: series.createPriceLine(orderLineOptions(order, held, t)) });
    }
    orderLines.current = lines;
    return () => {
      if (orderLines.current === lines) orderLines.current = new Map();
      // A new or unmounted chart has already disposed of this series and its lines (the chart
      // effect's clean-up runs first); removing them from it again throws "Object is disposed".
      if (priceSeries.current !== series) return;
      for (const { line } of lines.values()) series.removePriceLine(line);
    };
  }, [openOrders, proposal, ready, t]);

  // 감시주문: a dotted line at the price each watches.
  useEffect(() => {
    const series = priceSeries.current;
    if (!series) return;
    const lines: IPriceLine[] = conditions.map((condition) =>
      series.createPriceLine({
        price: condition.price,
        color: CONDITION_COLOR,
        lineStyle: LineStyle.SparseDotted,
        lineWidth: 1,
        axisLabelVisible: true,
        title: t("chart.conditionLine", {
          kind: t(`condition.${condition.trigger}`),
          side: t(condition.side === "buy" ? "order.buy" : "order.sell"),
          quantity: condition.quantity,
          state: condition.waiting ? ` (${t("conditionStatus.waiting")})` : "",
        }),
      }),
    );
    return () => {
      if (priceSeries.current !== series) return;
      for (const priceLine of lines) series.removePriceLine(priceLine);
    };
  }, [conditions, ready, t]);

  // Dragging an open limit order's line proposes a 정정 at the price it is let go at.
  useEffect(() => {
    const element = container.current;
    if (!element || !draggable) return;
    const redraw = (orderId: number, held: number | null) => {
      const entry = orderLines.current.get(orderId);
      if (entry) entry.line.applyOptions(orderLineOptions(entry.order, held, latest.current.t));
    };
    return attachOrderLineDrag({
      element,
      chart: () => chart.current,
      series: () => priceSeries.current,
      lines: () =>
        [...orderLines.current.values()]
          .filter(({ order }) => isDraggableOrder(order))
          .map(({ order, line }) => ({ orderId: order.id, price: line.options().price })),
      onMove: (orderId, price) => {
        dragged.current = price === null ? null : { orderId, price };
        const { proposal: proposed } = latest.current;
        redraw(orderId, price ?? (proposed?.orderId === orderId ? proposed.price : null));
      },
      onDrop: (orderId, price) => {
        dragged.current = null;
        redraw(orderId, price);
        latest.current.onModifyOrder?.(orderId, price);
      },
    });
  }, [draggable]);

  useEffect(() => {
    if (!quote || !priceSeries.current || !volumeSeries.current) return;
    const next = isIntraday(timeframe)
      ? liveIntradayBar(lastBar.current, quote, timeframe, lastVolume.current)
      : liveBar(lastBar.current, quote, timeframe);
    lastVolume.current = quote.volume;
    if (!next) return;
    const { bar } = next;
    const time = chartTime(bar.time, timeframe);
    priceSeries.current.update({ time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
    volumeSeries.current.update({ time, value: bar.volume, color: volumeColor(bar) });
    lastBar.current = bar;
    setLastClose(bar.close);
  }, [quote, timeframe, ready]);

  // Until the chart exists, the last loaded bar (so the legend's row is there from the first paint).
  const shown = legend ?? lastBar.current ?? candles.at(-1) ?? null;
  const canDrag = draggable && openOrders.some(isDraggableOrder);
  const linePrice = (order: Order) => (proposal?.orderId === order.id ? proposal.price : order.price);
  return (
    <div className="chart-wrap">
      {shown && (
        <div className="chart-legend num" data-testid="chart-legend">
          <span>{isIntraday(timeframe) ? shown.time.slice(0, 16).replace("T", " ") : shown.time.slice(0, 10)}</span>
          <span>
            {t("market.open")} {formatWon(shown.open)}
          </span>
          <span className="dir-up">
            {t("market.high")} {formatWon(shown.high)}
          </span>
          <span className="dir-down">
            {t("market.low")} {formatWon(shown.low)}
          </span>
          <span>
            {t("chart.close")} {formatWon(shown.close)}
          </span>
          <span className="muted">
            {t("market.volume")} {formatWon(shown.volume)}
          </span>
          {canDrag && (
            // One of the two shows, by the kind of pointer the device has (styles.css).
            <span className="chart-hint muted" data-testid="chart-drag-hint">
              <span className="hint-fine">{t("chart.dragHint")}</span>
              <span className="hint-coarse">{t("chart.dragHintTouch")}</span>
            </span>
          )}
        </div>
      )}
      <div
        ref={container}
        className="chart"
        style={{ height }}
        data-testid="price-chart"
        data-bars={candles.length}
        data-panes={panes}
        data-last-close={lastClose ?? ""}
        data-order-lines={openOrders
          .filter((o) => o.price)
          .map((o) => `${o.id}:${linePrice(o)}`)
          .join(",")}
        data-condition-lines={conditions.map((c) => `${c.id}:${c.price}`).join(",")}
      />
    </div>
  );
}
