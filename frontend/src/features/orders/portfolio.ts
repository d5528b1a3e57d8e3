import type { MessageKey } from "@/lib/i18n";
import type { Account, Position } from "@/types/models";

export interface PositionMark {
  last: number;
  /** 매입금액: the position's cost basis in won */
  cost: number;
  marketValue: number;
  unrealized: number;
  rate: number;
}

/**
 * A position marked to a price: the live one, else the server's last, else its cost (as the server
 * values it). The cost is avg_cost × quantity rounded to the won: avg_cost is the integer cost basis
 * ÷ quantity to four decimals, so this gives the basis back (exactly below 10,000 shares) and the
 * rows' P&L adds up with the server's realised P&L to the total.
 */
export function markPosition(position: Position, livePrice: number | undefined): PositionMark {
  const cost = Math.round(Number(position.avg_cost) * position.quantity);
  const last = livePrice ?? position.last_price ?? null;
  const marketValue = last === null ? cost : last * position.quantity;
  const unrealized = marketValue - cost;
  const rate = cost ? (unrealized * 100) / cost : 0;
  return { last: last ?? Number(position.avg_cost), cost, marketValue, unrealized, rate };
}

export interface AccountFiguresValue {
  cash: number;
  available: number;
  /** 매입금액: Σ rows' cost */
  cost: number;
  /** 평가금액: Σ rows' market value */
  marketValue: number;
  equity: number;
  /** 평가손익: Σ rows' unrealised P&L */
  unrealized: number;
  /** 실현손익 since the last reset (the server's, net of every commission and tax) */
  realized: number;
  /** 총손익 = equity − money put in (= realised + unrealised, by the ledger's identity) */
  totalPnl: number;
  returnRate: number;
}

/**
 * The account's summary from the same marks as its rows, so the summary is always Σ rows:
 * market value = Σ row values, equity = cash + market value, total P&L = equity − the money put in
 * (which the server's figures give as equity − total_pnl), as orders/selectors.account_value does.
 */
export function accountFigures(account: Account, marks: PositionMark[]): AccountFiguresValue {
  const cost = marks.reduce((sum, m) => sum + m.cost, 0);
  const marketValue = marks.reduce((sum, m) => sum + m.marketValue, 0);
  const unrealized = marks.reduce((sum, m) => sum + m.unrealized, 0);
  const invested = account.equity - account.total_pnl;
  const equity = account.cash + marketValue;
  const totalPnl = equity - invested;
  return {
    cash: account.cash,
    available: account.available_cash,
    cost,
    marketValue,
    equity,
    unrealized,
    realized: account.realized_pnl,
    totalPnl,
    returnRate: invested ? (totalPnl * 100) / invested : 0,
  };
}

export interface CashFigure {
  label: MessageKey;
  value: number;
  testId: string;
}

/** A server from before the settlement figures sends none: each line then falls back or is left out. */
const given = (value: number | null | undefined): value is number => typeof value === "number";

/**
 * The account's cash lines as a Korean broker shows them: 예수금 (settled), D+1 and D+2 예수금 (after
 * the pending T+2 settlements), 주문가능금액. Without the settlement figures 예수금 is the ledger
 * cash and 주문가능 the cash not held by open orders.
 */
export function cashFigures(account: Account): CashFigure[] {
  const figures: CashFigure[] = [
    given(account.settled_cash)
      ? { label: "account.settledCash", value: account.settled_cash, testId: "summary-cash" }
      : { label: "account.cash", value: account.cash, testId: "summary-cash" },
  ];
  if (given(account.d1_cash)) figures.push({ label: "account.d1Cash", value: account.d1_cash, testId: "summary-d1-cash" });
  if (given(account.d2_cash)) figures.push({ label: "account.d2Cash", value: account.d2_cash, testId: "summary-d2-cash" });
  figures.push(
    given(account.orderable_cash)
      ? { label: "account.orderableCash", value: account.orderable_cash, testId: "summary-orderable" }
      : { label: "account.available", value: account.available_cash, testId: "summary-orderable" },
  );
  return figures;
}

/** 주문가능금액: the server's figure once it sends one, else the cash open orders do not hold. */
export const orderableCash = (account: Account): number => (given(account.orderable_cash) ? account.orderable_cash : account.available_cash);

/** A rate to the two decimals shown, so that its colour agrees with its text (−0.0004% is 0.00%, not blue). */
export const roundedPercent = (rate: number): number => Math.round(rate * 100) / 100 || 0;
