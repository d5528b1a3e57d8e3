import { seoulDay } from "@/lib/format";
import type { Candle, IntradayTimeframe, Quote, Timeframe } from "@/types/models";

export const INTRADAY_MINUTES: Record<IntradayTimeframe, number> = { "1m": 1, "5m": 5, "15m": 15, "60m": 60 };

export function isIntraday(timeframe: Timeframe): timeframe is IntradayTimeframe {
  return timeframe in INTRADAY_MINUTES;
}

/** The start of the intraday bar an instant falls in (ISO, UTC), bars aligned on the Seoul clock's hour. */
export function intradayBucket(iso: string, timeframe: IntradayTimeframe): string {
  const ms = new Date(iso).getTime();
  const size = INTRADAY_MINUTES[timeframe] * 60_000;
  // Seoul is UTC+9 all year, a whole number of hours, so flooring in UTC aligns on Seoul minutes too.
  return new Date(Math.floor(ms / size) * size).toISOString();
}

/**
 * Fold a live quote into the last intraday bar: the same bucket extends it, a later one opens a
 * new bar; the volume is the rise in the session's cumulative volume since the previous quote.
 */
export function liveIntradayBar(
  last: Candle | undefined,
  quote: Quote,
  timeframe: IntradayTimeframe,
  previousVolume: number | null,
): { bar: Candle; isNew: boolean } | null {
  if (!quote.price) return null;
  const bucket = intradayBucket(quote.time, timeframe);
  const traded = previousVolume === null ? 0 : Math.max(0, quote.volume - previousVolume);
  const lastStart = last ? new Date(last.time).getTime() : -Infinity;
  const start = new Date(bucket).getTime();
  if (start < lastStart) return null;
  if (!last || start > lastStart) {
    return { bar: { time: bucket, open: quote.price, high: quote.price, low: quote.price, close: quote.price, volume: traded }, isNew: true };
  }
  return {
    bar: { ...last, high: Math.max(last.high, quote.price), low: Math.min(last.low, quote.price), close: quote.price, volume: last.volume + traded },
    isNew: false,
  };
}

/** The period a day belongs to: the day itself, its ISO week's Monday, or its month. */
export function periodKey(day: string, timeframe: Timeframe): string {
  if (timeframe === "1d" || isIntraday(timeframe)) return day;
  if (timeframe === "1M") return day.slice(0, 7);
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

/**
 * Fold a live quote into the chart's last bar. In the last bar's period: daily bars take the
 * quote's session OHLCV as they are; weekly and monthly bars extend high/low/close (their volume
 * for earlier days is already in the bar, so it stays). A quote from a later period opens a new
 * bar labelled with its day. Quotes older than the last bar are ignored (null).
 */
export function liveBar(last: Candle | undefined, quote: Quote, timeframe: Timeframe): { bar: Candle; isNew: boolean } | null {
  if (!quote.price) return null;
  const day = seoulDay(quote.time);
  const sessionBar: Candle = {
    time: day,
    open: quote.open || quote.price,
    high: Math.max(quote.high || quote.price, quote.price),
    low: Math.min(quote.low || quote.price, quote.price),
    close: quote.price,
    volume: quote.volume,
  };
  if (!last) return { bar: sessionBar, isNew: true };
  const quotePeriod = periodKey(day, timeframe);
  const lastPeriod = periodKey(last.time, timeframe);
  if (quotePeriod < lastPeriod) return null;
  if (quotePeriod > lastPeriod) return { bar: sessionBar, isNew: true };
  if (timeframe === "1d") return { bar: sessionBar, isNew: false };
  return {
    bar: { ...last, high: Math.max(last.high, quote.price), low: Math.min(last.low, quote.price), close: quote.price },
    isNew: false,
  };
}
