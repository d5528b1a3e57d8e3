/**
 * 매매일지 and 실현손익: the account's fills with their costs and realised P&L, by day and by month.
 *
 * The API's fills carry neither their commission and tax nor what they realised, so the journal is
 * built from the account's activities (fills, the commission and tax entries booked with each fill,
 * and the resets that empty the positions) by replaying them as orders/ledger.py books them:
 *   buy   cost basis += price × quantity; realised −= commission (expensed when it fills)
 *   sell  released = cost basis × q ÷ held, rounded down (all of it when the position closes);
 *         cost basis −= released; realised += price × q − released − commission − tax
 * so the days' realised P&L add up to the account's realized_pnl since its last reset.
 */
import { seoulDay } from "@/lib/format";

import type { Activity } from "./api/history";

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
  /** What the fill realised, net of its costs (a buy: −commission); null when the fills before it are not all known. */
  realized: number | null;
}

/** An instant as microseconds since the epoch: the API's times carry microseconds, Date only milliseconds. */
export function instantMicros(iso: string): number {
  const fraction = /T\d{2}:\d{2}:\d{2}\.(\d+)/.exec(iso)?.[1] ?? "";
  const seconds = Date.parse(iso.replace(/(T\d{2}:\d{2}:\d{2})\.\d+/, "$1"));
  return seconds * 1000 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

interface Held {
  quantity: number;
  costBasis: number;
  /** A sale of more than the replay holds: the fills before it are not all known, nor is what it realised. */
  unknown: boolean;
}

/** Cost basis × q ÷ held, rounded down, exactly (the product can pass 2^53). */
const released = (held: Held, quantity: number) =>
  quantity === held.quantity ? held.costBasis : Number((BigInt(held.costBasis) * BigInt(quantity)) / BigInt(held.quantity));

/**
 * The journal of an account's activities (any order; types fill, commission, tax and reset are
 * used), oldest fill first. `complete: false` says the oldest activities are missing: what a sale
 * realised is then unknown.
 */
export function buildJournal(activities: readonly Activity[], { complete = true } = {}): JournalFill[] {
  const costs = new Map<number, { commission: number; tax: number }>();
  for (const a of activities) {
    if ((a.type === "commission" || a.type === "tax") && a.trade !== null) {
      const entry = costs.get(a.trade) ?? { commission: 0, tax: 0 };
      entry[a.type === "commission" ? "commission" : "tax"] += -a.amount;
      costs.set(a.trade, entry);
    }
  }
  const events = activities
    .filter((a) => (a.type === "fill" && a.trade !== null) || a.type === "reset")
    .map((a) => ({ a, at: instantMicros(a.time) }))
    // Oldest first; fills booked at one moment in the order the exchange matched them (trade id).
    .sort((x, y) => x.at - y.at || (x.a.type === "reset" ? -1 : 0) - (y.a.type === "reset" ? -1 : 0) || (x.a.trade ?? 0) - (y.a.trade ?? 0));
  const positions = new Map<string, Held>();
  const out: JournalFill[] = [];
  for (const { a } of events) {
    if (a.type === "reset") {
      positions.clear();
      continue;
    }
    const symbol = a.symbol ?? "";
    const side: Side = a.side === "sell" ? "sell" : "buy";
    const quantity = a.quantity ?? 0;
    const price = a.price ?? 0;
    const amount = price * quantity;
    const { commission, tax } = costs.get(a.trade as number) ?? { commission: 0, tax: 0 };
    const held = positions.get(symbol) ?? { quantity: 0, costBasis: 0, unknown: !complete };
    let realized: number | null;
    if (side === "buy") {
      held.quantity += quantity;
      held.costBasis += amount;
      realized = -commission;
    } else if (held.unknown || held.quantity < quantity) {
      held.unknown = true;
      held.quantity = Math.max(0, held.quantity - quantity);
      realized = null;
    } else {
      const release = released(held, quantity);
      held.quantity -= quantity;
      held.costBasis -= release;
      realized = amount - release - commission - tax;
    }
    if (held.quantity === 0) {
      held.costBasis = 0;
      held.unknown = !complete;
    }
    positions.set(symbol, held);
    out.push({
      trade: a.trade as number,
      order: a.order,
      time: a.time,
      day: seoulDay(a.time),
      symbol,
      symbolName: a.symbol_name || symbol,
      side,
      quantity,
      price,
      amount,
      commission,
      tax,
      net: side === "sell" ? amount - commission - tax : -(amount + commission),
      realized,
    });
  }
  return out;
}

export interface Totals {
  buyAmount: number;
  sellAmount: number;
  commission: number;
  tax: number;
  /** Σ of the known realised P&L */
  realized: number;
  /** Some fill's realised P&L is unknown (not in `realized`). */
  incomplete: boolean;
  fills: number;
}

const emptyTotals = (): Totals => ({ buyAmount: 0, sellAmount: 0, commission: 0, tax: 0, realized: 0, incomplete: false, fills: 0 });

function add(totals: Totals, fill: JournalFill): Totals {
  if (fill.side === "buy") totals.buyAmount += fill.amount;
  else totals.sellAmount += fill.amount;
  totals.commission += fill.commission;
  totals.tax += fill.tax;
  if (fill.realized === null) totals.incomplete = true;
  else totals.realized += fill.realized;
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
    month.incomplete ||= day.incomplete;
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
 * The activities API's window for whole Seoul days: `after` < time ≤ `until`, so after is the last
 * microsecond of the day before `from` and until the last of `to`.
 */
export function activityWindow(range: DayRange): { after: string; until: string } {
  return { after: `${addDays(range.from, -1)}T23:59:59.999999+09:00`, until: `${range.to}T23:59:59.999999+09:00` };
}
