/**
 * 매매일지 and 실현손익: the account's fills with their costs and the realised P&L each booked, by
 * day and by month.
 *
 * Every figure is the server's (GET trades): a fill's commission and tax, and `realized_pnl`, what
 * booking it changed its position's realised P&L by (orders/ledger.py): a sale's proceeds less the
 * cost basis it released at the average cost, the commission and the tax; a buy's −commission
 * (expensed when it fills). So a period's fills add up to the realised P&L booked in it, and the
 * fills since the last reset to the account's realized_pnl, without reading what came before.
 */
import { seoulDay } from "@/lib/format";
import type { Fill } from "@/types/models";

export type Side = "buy" | "sell";

export interface JournalFill {
  trade: number;
  order: number | null;
  time: string;
  /** The Seoul calendar day of the fill, YYYY-MM-DD. */
  day: string;
  symbol: string;
  symbolName: string;
  side: Side;
  quantity: number;
  price: number;
  /** price × quantity */
  amount: number;
  commission: number;
  tax: number;
  /** The cash the fill moved, costs included: a sale's proceeds less costs, a purchase's cost plus commission (negative). */
  net: number;
  /** What the fill realised, net of its costs (a buy: −commission): the server's realized_pnl. */
  realized: number;
}

/** An instant as microseconds since the epoch: the API's times carry microseconds, Date only milliseconds. */
export function instantMicros(iso: string): number {
  const fraction = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(iso)?.[1] ?? "";
  const seconds = Date.parse(iso.replace(/(T\d{2}:\d{2}:\d{2})\.\d+/, "$1"));
  return seconds * 1000 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

/** The journal's rows of the API's fills (any order). */
export function journalFills(fills: readonly Fill[]): JournalFill[] {
  return fills.map((f) => {
    const amount = f.price * f.quantity;
    return {
      trade: f.id,
      order: f.order,
      time: f.time,
      day: seoulDay(f.time),
      symbol: f.symbol,
      symbolName: f.symbol_name || f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      amount,
      commission: f.commission,
      tax: f.tax,
      net: f.side === "sell" ? amount - f.commission - f.tax : -(amount + f.commission),
      realized: f.realized_pnl,
    };
  });
}

export interface Totals {
  buyAmount: number;
  sellAmount: number;
  commission: number;
  tax: number;
  /** Σ of the fills' realised P&L */
  realized: number;
  fills: number;
}

const emptyTotals = (): Totals => ({ buyAmount: 0, sellAmount: 0, commission: 0, tax: 0, realized: 0, fills: 0 });

function add(totals: Totals, fill: JournalFill): Totals {
  if (fill.side === "buy") totals.buyAmount += fill.amount;
  else totals.sellAmount += fill.amount;
  totals.commission += fill.commission;
  totals.tax += fill.tax;
  totals.realized += fill.realized;
  totals.fills += 1;
  return totals;
}

export const totalsOf = (fills: readonly JournalFill[]): Totals => fills.reduce(add, emptyTotals());

export interface JournalDay extends Totals {
  day: string;
  /** newest first */
  entries: JournalFill[];
}

/** The fills by Seoul day, newest day first and newest fill first within a day. */
export function groupByDay(fills: readonly JournalFill[]): JournalDay[] {
  const days = new Map<string, JournalDay>();
  for (const fill of fills) {
    let day = days.get(fill.day);
    if (!day) {
      day = { day: fill.day, entries: [], ...emptyTotals() };
      days.set(fill.day, day);
    }
    add(day, fill);
    day.entries.push(fill);
  }
  const byTime = (x: JournalFill, y: JournalFill) => instantMicros(y.time) - instantMicros(x.time) || y.trade - x.trade;
  return [...days.values()].sort((x, y) => (x.day < y.day ? 1 : x.day > y.day ? -1 : 0)).map((d) => ({ ...d, entries: d.entries.sort(byTime) }));
}

export interface JournalMonth extends Totals {
  /** YYYY-MM */
  month: string;
  /** Days with fills */
  tradingDays: number;
  gainDays: number;
  lossDays: number;
}

/** 월별 실현손익: the days by month, newest month first. */
export function groupByMonth(days: readonly JournalDay[]): JournalMonth[] {
  const months = new Map<string, JournalMonth>();
  for (const day of days) {
    const key = day.day.slice(0, 7);
    const month = months.get(key) ?? { month: key, ...emptyTotals(), tradingDays: 0, gainDays: 0, lossDays: 0 };
    month.buyAmount += day.buyAmount;
    month.sellAmount += day.sellAmount;
    month.commission += day.commission;
    month.tax += day.tax;
    month.realized += day.realized;
    month.fills += day.fills;
    month.tradingDays += 1;
    if (day.realized > 0) month.gainDays += 1;
    if (day.realized < 0) month.lossDays += 1;
    months.set(key, month);
  }
  return [...months.values()].sort((x, y) => (x.month < y.month ? 1 : x.month > y.month ? -1 : 0));
}

// --- calendar days (YYYY-MM-DD strings, no time zone: the days are already Seoul's) -------------

const parseDay = (day: string) => {
  const [y, m, d] = day.split("-").map(Number);
  return { y, m, d };
};
const pad = (n: number) => String(n).padStart(2, "0");
const dayOf = (date: Date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

export function addDays(day: string, n: number): string {
  const { y, m, d } = parseDay(day);
  return dayOf(new Date(Date.UTC(y, m - 1, d + n)));
}

/** The same day `n` months away, or that month's last day when it is shorter (03-31 − 1 month = 02-28). */
export function addMonths(day: string, n: number): string {
  const { y, m, d } = parseDay(day);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = daysInMonth(first.getUTCFullYear(), first.getUTCMonth() + 1);
  return dayOf(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))));
}

/** YYYY-MM `n` months away. */
export const shiftMonth = (month: string, n: number) => addMonths(`${month}-01`, n).slice(0, 7);

/**
 * A month as the weeks of a wall calendar, Sunday first (일 월 화 수 목 금 토): each week seven
 * cells, a day (YYYY-MM-DD) or null before the 1st and after the last day.
 */
export function monthGrid(month: string): (string | null)[][] {
  const [y, m] = month.split("-").map(Number);
  const lead = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= daysInMonth(y, m); d += 1) cells.push(`${month}-${pad(d)}`);
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

export interface DayRange {
  from: string;
  to: string;
}

export type QuickRange = "today" | "1w" | "1m" | "3m";
export const QUICK_RANGES: readonly QuickRange[] = ["today", "1w", "1m", "3m"];

/** 오늘 / 1주 / 1개월 / 3개월 up to today, as a broker's 조회기간 buttons set them. */
export function quickRange(kind: QuickRange, today: string): DayRange {
  switch (kind) {
    case "today":
      return { from: today, to: today };
    case "1w":
      return { from: addDays(today, -7), to: today };
    case "1m":
      return { from: addMonths(today, -1), to: today };
    case "3m":
      return { from: addMonths(today, -3), to: today };
  }
}

/** The quick range `range` is, if it is one. */
export const quickRangeOf = (range: DayRange, today: string): QuickRange | null =>
  QUICK_RANGES.find((kind) => {
    const quick = quickRange(kind, today);
    return quick.from === range.from && quick.to === range.to;
  }) ?? null;

/** A range with from ≤ to (the two swapped when entered the other way round). */
export const ordered = (range: DayRange): DayRange => (range.from <= range.to ? range : { from: range.to, to: range.from });

export const inRange = (day: string, range: DayRange) => day >= range.from && day <= range.to;

/**
 * The window of the activities and trades APIs for whole Seoul days: `after` < time ≤ `until`, so
 * after is the last microsecond of the day before `from` and until the last of `to`.
 */
export function activityWindow(range: DayRange): { after: string; until: string } {
  return { after: `${addDays(range.from, -1)}T23:59:59.999999+09:00`, until: `${range.to}T23:59:59.999999+09:00` };
}
