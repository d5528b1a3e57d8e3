/** The equity chart's figures from GET accounts/<id>/history (pure: no chart, no React). */
import { seoulDay } from "@/lib/format";

import type { AccountHistory, HistoryPeriod, HistoryPoint } from "./api/history";

/** The chart's 조회기간: 1일 (minutes), 1개월, 3개월, 1년, 전체 (days). */
export type EquityPeriod = Extract<HistoryPeriod, "1D" | "1M" | "3M" | "1A" | "all">;
export const EQUITY_PERIODS: readonly EquityPeriod[] = ["1D", "1M", "3M", "1A", "all"];

export type EquityMode = "equity" | "return";

export interface PeriodChange {
  /** Σ of each point's change: what the account gained over the period, deposits left out. */
  profitLoss: number;
  /** The points' period returns compounded, percent. */
  returnRate: number;
}

/** The period's P&L and time-weighted return: deposits neither add to it nor dilute it. */
export function periodChange(points: readonly HistoryPoint[]): PeriodChange {
  const profitLoss = points.reduce((sum, p) => sum + p.period_profit_loss, 0);
  const growth = points.reduce((acc, p) => acc * (1 + p.period_return_rate / 100), 1);
  return { profitLoss, returnRate: (growth - 1) * 100 };
}

const SEOUL_OFFSET_S = 9 * 3600;

/**
 * A point's place on the chart: its Seoul day for daily points (a business day the chart reads as
 * such), else its instant shifted by +9 h (lightweight-charts draws UTC; this makes it draw Seoul).
 */
export function chartTime(point: HistoryPoint, timeframe: AccountHistory["timeframe"]): string | number {
  if (timeframe === "1D") return seoulDay(point.time);
  return Math.floor(new Date(point.time).getTime() / 1000) + SEOUL_OFFSET_S;
}

/** The series to draw, oldest first, one value per time (a later point for the same time wins). */
export function chartSeries(history: AccountHistory, mode: EquityMode): { time: string | number; value: number }[] {
  const byTime = new Map<string | number, number>();
  for (const point of history.points) byTime.set(chartTime(point, history.timeframe), mode === "equity" ? point.equity : point.return_rate);
  return [...byTime.entries()].map(([time, value]) => ({ time, value }));
}
