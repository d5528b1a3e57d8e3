import { describe, expect, it } from "vitest";

import type { Account, Position } from "@/types/models";

import { accountFigures, cashFigures, markPosition, roundedPercent } from "./portfolio";

const position = (symbol: string, quantity: number, avg: string, last: number | null) =>
  ({ symbol, quantity, avg_cost: avg, last_price: last }) as Position;

describe("accountFigures", () => {
  it("is the sum of the rows marked to the live prices", () => {
    // server: cash 1,000,000, 10 × 70,000 held → equity 1,700,000; put in 1,650,000 → P&L 50,000
    const account = { cash: 1_000_000, available_cash: 900_000, equity: 1_700_000, total_pnl: 50_000, realized_pnl: 200_000 } as Account;
    const rows = [markPosition(position("005930", 10, "65000", 70_000), 71_000), markPosition(position("000660", 2, "100000", null), undefined)];
    // rows: 10 × 71,000 = 710,000 (+60,000); 2 × 100,000 at cost = 200,000 (0)
    expect(rows.map((r) => r.marketValue)).toEqual([710_000, 200_000]);
    const figures = accountFigures(account, rows);
    expect(figures.marketValue).toBe(910_000);
    expect(figures.cost).toBe(650_000 + 200_000);
    expect(figures.unrealized).toBe(60_000);
    expect(figures.realized).toBe(200_000);
    expect(figures.equity).toBe(1_910_000);
    // invested = 1,700,000 − 50,000 = 1,650,000 → P&L 260,000 → 15.7576%
    expect(figures.totalPnl).toBe(260_000);
    expect(figures.returnRate).toBeCloseTo(15.7576, 3);
  });
});

describe("markPosition", () => {
  it("gives the cost basis back from the four-decimal average, so rows add up in whole won", () => {
    // cost basis 100,001 for 3 shares: avg_cost "33333.6667"; × 3 = 100,001.0001 → 100,001
    const mark = markPosition(position("005930", 3, "33333.6667", 34_000), undefined);
    expect(mark.cost).toBe(100_001);
    expect(mark.marketValue).toBe(102_000);
    expect(mark.unrealized).toBe(1_999);
  });

  it("values a position without any price at its cost, as the server does", () => {
    const mark = markPosition(position("005930", 3, "33333.6667", null), undefined);
    expect(mark.marketValue).toBe(100_001);
    expect(mark.unrealized).toBe(0);
    expect(mark.last).toBe(33_333.6667);
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

describe("roundedPercent", () => {
  it("rounds to the two decimals shown, so a rate shown as 0.00% is painted flat", () => {
    expect(roundedPercent(-0.00048)).toBe(0);
    expect(Object.is(roundedPercent(-0.00048), -0)).toBe(false);
    expect(roundedPercent(1.23456)).toBe(1.23);
    expect(roundedPercent(-2.346)).toBe(-2.35);
  });
});
