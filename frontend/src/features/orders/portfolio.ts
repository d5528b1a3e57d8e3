import type { Account, Position } from "@/types/models";

export interface PositionMark {
  last: number;
  marketValue: number;
  unrealized: number;
  rate: number;
}

/** A position marked to a price: the live one, else the server's last, else its cost (as the server values it). */
export function markPosition(position: Position, livePrice: number | undefined): PositionMark {
  const cost = Number(position.avg_cost) * position.quantity;
  const last = livePrice ?? position.last_price ?? Number(position.avg_cost);
  const marketValue = last * position.quantity;
  const unrealized = marketValue - cost;
  const rate = cost ? (unrealized * 100) / cost : 0;
  return { last, marketValue, unrealized, rate };
}

export interface AccountFiguresValue {
  cash: number;
  available: number;
  marketValue: number;
  equity: number;
  unrealized: number;
  totalPnl: number;
  returnRate: number;
}

/**
 * The account's summary from the same marks as its rows, so the summary is always Σ rows:
 * market value = Σ row values, equity = cash + market value, total P&L = equity − the money put in
 * (which the server's figures give as equity − total_pnl), as orders/selectors.account_value does.
 */
export function accountFigures(account: Account, marks: PositionMark[]): AccountFiguresValue {
  const marketValue = marks.reduce((sum, m) => sum + m.marketValue, 0);
  const unrealized = marks.reduce((sum, m) => sum + m.unrealized, 0);
  const invested = account.equity - account.total_pnl;
  const equity = account.cash + marketValue;
  const totalPnl = equity - invested;
  return {
    cash: account.cash,
    available: account.available_cash,
    marketValue,
    equity,
    unrealized,
    totalPnl,
    returnRate: invested ? (totalPnl * 100) / invested : 0,
  };
}
