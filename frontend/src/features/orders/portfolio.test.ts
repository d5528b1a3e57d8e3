import { describe, expect, it } from "vitest";

import type { Account, Position } from "@/types/models";

import { accountFigures, cashFigures, markPosition } from "./portfolio";

const position = (symbol: string, quantity: number, avg: string, last: number | null) =>
  ({ symbol, quantity, avg_cost: avg, last_price: last }) as Position;

describe("accountFigures", () => {
  it("is the sum of the rows marked to the live prices", () => {
    // server: cash 1,000,000, 10 × 70,000 held → equity 1,700,000; put in 1,650,000 → P&L 50,000
    const account = { cash: 1_000_000, available_cash: 900_000, equity: 1_700_000, total_pnl: 50_000 } as Account;
    const rows = [markPosition(position("005930", 10, "65000", 70_000), 71_000), markPosition(position("000660", 2, "100000", null), undefined)];
    // rows: 10 × 71,000 = 710,000 (+60,000); 2 × 100,000 at cost = 200,000 (0)
    expect(rows.map((r) => r.marketValue)).toEqual([710_000, 200_000]);
    const figures = accountFigures(account, rows);
    expect(figures.marketValue).toBe(910_000);
    expect(figures.unrealized).toBe(60_000);
    expect(figures.equity).toBe(1_910_000);
    // invested = 1,700,000 − 50,000 = 1,650,000 → P&L 260,000 → 15.7576%
    expect(figures.totalPnl).toBe(260_000);
    expect(figures.returnRate).toBeCloseTo(15.7576, 3);
  });
});

describe("cashFigures", () => {
  const base = { cash: 5_000_000, available_cash: 4_200_000 } as Account;

  it("예수금 and 주문가능 from the ledger when the server sends no settlement figures", () => {
    expect(cashFigures(base).map((f) => [f.label, f.value])).toEqual([
      ["account.cash", 5_000_000],
      ["account.available", 4_200_000],
    ]);
  });

  it("예수금, D+1, D+2 and 주문가능금액 once it does", () => {
    const account = { ...base, settled_cash: 4_000_000, d1_cash: 4_500_000, d2_cash: 5_000_000, orderable_cash: 3_900_000 } as Account;
    expect(cashFigures(account).map((f) => [f.label, f.value, f.testId])).toEqual([
      ["account.settledCash", 4_000_000, "summary-cash"],
      ["account.d1Cash", 4_500_000, "summary-d1-cash"],
      ["account.d2Cash", 5_000_000, "summary-d2-cash"],
      ["account.orderableCash", 3_900_000, "summary-orderable"],
    ]);
  });

  it("shows each figure that is there, and no line for one that is not", () => {
    const account = { ...base, settled_cash: 4_000_000, d2_cash: 5_000_000 } as Account;
    expect(cashFigures(account).map((f) => f.label)).toEqual(["account.settledCash", "account.d2Cash", "account.available"]);
  });
});
