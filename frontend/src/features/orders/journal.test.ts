import { describe, expect, it } from "vitest";

import type { Fill } from "@/types/models";

import {
  activityWindow,
  addDays,
  addMonths,
  groupByDay,
  groupByMonth,
  instantMicros,
  journalFills,
  monthGrid,
  ordered,
  quickRange,
  quickRangeOf,
  shiftMonth,
  totalsOf,
} from "./journal";

const NAMES: Record<string, string> = { "005930": "삼성전자", "000660": "SK하이닉스" };

/** A fill as GET trades lists it: its costs and the realised P&L the ledger booked with it. */
function fill(trade: number, time: string, symbol: string, side: "buy" | "sell", quantity: number, price: number, commission: number, tax: number, realized: number): Fill {
  return { id: trade, order: 100 + trade, account: 7, symbol, symbol_name: NAMES[symbol], side, quantity, price, commission, tax, realized_pnl: realized, time };
}

// The fixture's realized_pnl, as orders/ledger.py books them (worked by hand):
//  11-28 10:00  buy  000660 1 @ 100,000, fee 15                          realised −15
//  11-28 11:00  sell 000660 1 @ 110,000, fee 16, tax 198: closes (basis 100,000)
//               110,000 − 100,000 − 16 − 198                             realised 9,786
//  12-01 09:00:01.000100  buy 005930 10 @ 70,000 (700,000), fee 105      realised −105
//  12-01 09:00:01.000200  buy 005930  5 @ 70,100 (350,500), fee 52       realised −52
//               basis 1,050,500 for 15
//  12-02 14:03:27 sell 4 @ 72,000 (288,000), fee 43, tax 5,184
//               released 1,050,500 × 4 // 15 = 280,133 → basis 770,367 for 11
//               288,000 − 280,133 − 43 − 5,184                            realised 2,640
//  12-02 15:10  sell 6 @ 69,000 (414,000), fee 62, tax 745
//               released 770,367 × 6 // 11 = 420,200 → basis 350,167 for 5
//               414,000 − 420,200 − 62 − 745                              realised −7,007
//  12-02 16:00  reset: the 5 shares are gone
//  12-03 00:00:05 (15:00:05Z the day before) buy 2 @ 71,000, fee 21       realised −21
//  12-03 09:30:00.5 sell 2 @ 72,000, fee 21, tax 259: closes (basis 142,000, not the old 5's)
//               144,000 − 142,000 − 21 − 259                              realised 1,720
// Newest first, as the API lists them.
const FILLS: Fill[] = [
  fill(8, "2026-12-03T09:30:00.500000+09:00", "005930", "sell", 2, 72_000, 21, 259, 1_720),
  fill(7, "2026-12-02T15:00:05Z", "005930", "buy", 2, 71_000, 21, 0, -21),
  fill(6, "2026-12-02T15:10:00+09:00", "005930", "sell", 6, 69_000, 62, 745, -7_007),
  fill(5, "2026-12-02T14:03:27+09:00", "005930", "sell", 4, 72_000, 43, 5_184, 2_640),
  // one millisecond apart: the microseconds order them within the day, not the list
  fill(4, "2026-12-01T09:00:01.000200+09:00", "005930", "buy", 5, 70_100, 52, 0, -52),
  fill(3, "2026-12-01T09:00:01.000100+09:00", "005930", "buy", 10, 70_000, 105, 0, -105),
  fill(2, "2026-11-28T11:00:00+09:00", "000660", "sell", 1, 110_000, 16, 198, 9_786),
  fill(1, "2026-11-28T10:00:00+09:00", "000660", "buy", 1, 100_000, 15, 0, -15),
];

describe("journalFills", () => {
  const journal = journalFills(FILLS);

  it("takes each fill's realised P&L as the server booked it", () => {
    expect(journal.map((f) => [f.trade, f.realized])).toEqual([
      [8, 1_720],
      [7, -21],
      [6, -7_007],
      [5, 2_640],
      [4, -52],
      [3, -105],
      [2, 9_786],
      [1, -15],
    ]);
  });

  it("keeps each fill's name, Seoul day, amount, costs and net cash", () => {
    const sale = journal.find((f) => f.trade === 5)!;
    expect(sale).toMatchObject({
      symbol: "005930",
      symbolName: "삼성전자",
      side: "sell",
      day: "2026-12-02",
      quantity: 4,
      price: 72_000,
      amount: 288_000,
      commission: 43,
      tax: 5_184,
      net: 288_000 - 43 - 5_184,
      order: 105,
    });
    const buy = journal.find((f) => f.trade === 7)!;
    expect(buy.day).toBe("2026-12-03"); // 15:00:05Z is five seconds past midnight in Seoul
    expect(buy.net).toBe(-(142_000 + 21));
    expect(journalFills([{ ...FILLS[0], symbol_name: "" }])[0].symbolName).toBe("005930"); // no name: the code
  });

  it("adds up to the realised P&L since the reset, and before it", () => {
    const afterReset = journal.filter((f) => f.trade >= 7);
    expect(totalsOf(afterReset).realized).toBe(1_699);
    expect(totalsOf(journal).realized).toBe(-15 + 9_786 - 105 - 52 + 2_640 - 7_007 - 21 + 1_720);
  });

  it("knows what a sale realised without the fills that bought the shares", () => {
    // A period that starts after the buys: the server booked the sale against their average cost.
    const period = journalFills(FILLS.filter((f) => f.id === 5 || f.id === 6));
    expect(totalsOf(period)).toEqual({ buyAmount: 0, sellAmount: 702_000, commission: 105, tax: 5_929, realized: 2_640 - 7_007, fills: 2 });
  });
});

describe("groupByDay and groupByMonth", () => {
  const days = groupByDay(journalFills(FILLS));

  it("groups by Seoul day, newest day and newest fill first, with the day's totals", () => {
    expect(days.map((d) => [d.day, d.entries.map((f) => f.trade), d.realized])).toEqual([
      ["2026-12-03", [8, 7], 1_699],
      ["2026-12-02", [6, 5], 2_640 - 7_007],
      ["2026-12-01", [4, 3], -157],
      ["2026-11-28", [2, 1], 9_771],
    ]);
    expect(days[1]).toMatchObject({ buyAmount: 0, sellAmount: 702_000, commission: 105, tax: 5_929, fills: 2 });
  });

  it("adds the days up by month", () => {
    expect(groupByMonth(days)).toEqual([
      {
        month: "2026-12",
        buyAmount: 700_000 + 350_500 + 142_000,
        sellAmount: 288_000 + 414_000 + 144_000,
        commission: 105 + 52 + 43 + 62 + 21 + 21,
        tax: 5_184 + 745 + 259,
        realized: 1_699 - 4_367 - 157,
        fills: 6,
        tradingDays: 3,
        gainDays: 1,
        lossDays: 2,
      },
      {
        month: "2026-11",
        buyAmount: 100_000,
        sellAmount: 110_000,
        commission: 31,
        tax: 198,
        realized: 9_771,
        fills: 2,
        tradingDays: 1,
        gainDays: 1,
        lossDays: 0,
      },
    ]);
  });
});

describe("days and ranges", () => {
  it("reads microseconds the Date type drops", () => {
    expect(instantMicros("2026-12-01T09:00:01.000100+09:00") - instantMicros("2026-12-01T09:00:01+09:00")).toBe(100);
    expect(instantMicros("2026-12-01T00:00:01.5Z")).toBe(Date.UTC(2026, 11, 1, 0, 0, 1) * 1000 + 500_000);
  });

  it("moves by days and months, clamping to a shorter month's end", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonths("2024-03-31", -1)).toBe("2024-02-29");
    expect(addMonths("2026-01-15", -3)).toBe("2025-10-15");
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
  });

  it("sets the 조회기간 buttons back from today", () => {
    const today = "2026-12-03";
    expect(quickRange("today", today)).toEqual({ from: today, to: today });
    expect(quickRange("1w", today)).toEqual({ from: "2026-11-26", to: today });
    expect(quickRange("1m", today)).toEqual({ from: "2026-11-03", to: today });
    expect(quickRange("3m", today)).toEqual({ from: "2026-09-03", to: today });
    expect(quickRangeOf({ from: "2026-11-03", to: today }, today)).toBe("1m");
    expect(quickRangeOf({ from: "2026-11-04", to: today }, today)).toBeNull();
    expect(ordered({ from: "2026-12-03", to: "2026-12-01" })).toEqual({ from: "2026-12-01", to: "2026-12-03" });
  });

  it("asks the activities and trades APIs for whole Seoul days", () => {
    expect(activityWindow({ from: "2026-12-01", to: "2026-12-03" })).toEqual({
      after: "2026-11-30T23:59:59.999999+09:00",
      until: "2026-12-03T23:59:59.999999+09:00",
    });
  });

  it("lays a month out Sunday first", () => {
    // 2026-12-01 is a Tuesday; 31 days fill five weeks.
    const december = monthGrid("2026-12");
    expect(december).toHaveLength(5);
    expect(december[0]).toEqual([null, null, "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05"]);
    expect(december[4]).toEqual(["2026-12-27", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", null, null]);
    // February 2026 starts on a Sunday and has exactly four weeks.
    const february = monthGrid("2026-02");
    expect(february).toHaveLength(4);
    expect(february[0][0]).toBe("2026-02-01");
    expect(february[3][6]).toBe("2026-02-28");
  });
});
