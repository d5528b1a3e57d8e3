import { seoulDay } from "@/lib/format";
import type { Candle, Quote, Timeframe } from "@/types/models";

/** The period a day belongs to: the day itself, its ISO week's Monday, or its month. */
export function periodKey(day: string, timeframe: Timeframe): string {
  if (timeframe === "1d") return day;
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
