/**
 * Chart indicators over closing prices, as Korean HTS/MTS show them: simple moving averages,
 * Bollinger bands (20, 2σ with the population deviation), Wilder's RSI (14) and MACD (12, 26, 9).
 * Pure functions: each returns one value per input bar, null until enough bars exist.
 */

export type Series = (number | null)[];

/** Simple moving average of the last `period` values. */
export function sma(values: readonly number[], period: number): Series {
  if (period < 1) throw new RangeError("period must be at least 1");
  const out: Series = new Array(values.length).fill(null);
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) {
    sum += values[i];
    if (i >= period) sum -= values[i - period];
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

/** Exponential moving average (α = 2 / (period + 1)), seeded with the SMA of the first `period`. */
export function ema(values: readonly number[], period: number): Series {
  if (period < 1) throw new RangeError("period must be at least 1");
  const out: Series = new Array(values.length).fill(null);
  if (values.length < period) return out;
  const alpha = 2 / (period + 1);
  let prev = values.slice(0, period).reduce((a, b) => a + b, 0) / period;
  out[period - 1] = prev;
  for (let i = period; i < values.length; i += 1) {
    prev = values[i] * alpha + prev * (1 - alpha);
    out[i] = prev;
  }
  return out;
}

export interface Bands {
  middle: Series;
  upper: Series;
  lower: Series;
}

/** Bollinger bands: SMA(period) ± k population standard deviations of the same window. */
export function bollinger(values: readonly number[], period = 20, k = 2): Bands {
  const middle = sma(values, period);
  const upper: Series = new Array(values.length).fill(null);
  const lower: Series = new Array(values.length).fill(null);
  for (let i = period - 1; i < values.length; i += 1) {
    const mean = middle[i] as number;
    let squares = 0;
    for (let j = i - period + 1; j <= i; j += 1) squares += (values[j] - mean) ** 2;
    const sd = Math.sqrt(squares / period);
    upper[i] = mean + k * sd;
    lower[i] = mean - k * sd;
  }
  return { middle, upper, lower };
}

/**
 * Wilder's RSI: the first average gain/loss is the mean over `period` changes, then each is
 * smoothed as (prev × (period − 1) + current) / period. 100 when there was no loss.
 */
export function rsi(values: readonly number[], period = 14): Series {
  const out: Series = new Array(values.length).fill(null);
  if (values.length <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i += 1) {
    const change = values[i] - values[i - 1];
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  const value = () => (loss === 0 ? 100 : 100 - 100 / (1 + gain / loss));
  out[period] = value();
  for (let i = period + 1; i < values.length; i += 1) {
    const change = values[i] - values[i - 1];
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
    out[i] = value();
  }
  return out;
}

export interface Macd {
  macd: Series;
  signal: Series;
  histogram: Series;
}

/** MACD = EMA(fast) − EMA(slow); signal = EMA(signal) of MACD from its first value; histogram = MACD − signal. */
export function macd(values: readonly number[], fast = 12, slow = 26, signalPeriod = 9): Macd {
  const fastEma = ema(values, fast);
  const slowEma = ema(values, slow);
  const line: Series = values.map((_, i) =>
    fastEma[i] === null || slowEma[i] === null ? null : (fastEma[i] as number) - (slowEma[i] as number),
  );
  const first = line.findIndex((v) => v !== null);
  const signal: Series = new Array(values.length).fill(null);
  if (first >= 0) {
    const tail = ema(line.slice(first) as number[], signalPeriod);
    tail.forEach((v, i) => (signal[first + i] = v));
  }
  const histogram: Series = line.map((v, i) => (v === null || signal[i] === null ? null : v - (signal[i] as number)));
  return { macd: line, signal, histogram };
}
