import { describe, expect, it } from "vitest";

import type { AccountHistory, HistoryPoint } from "./api/history";
import { chartSeries, chartTime, periodChange } from "./equity";

const point = (time: string, equity: number, invested: number, change: number, changeRate: number): HistoryPoint => ({
  time,
  equity,
  cash: equity,
  market_value: 0,
  invested,
  profit_loss: equity - invested,
  return_rate: ((equity - invested) * 100) / invested,
  period_profit_loss: change,
  period_return_rate: changeRate,
});

// 100,000,000 put in; day 1 +1,000,000 (+1%), day 2 a 10,000,000 deposit and −1,010,000 on the
// 111,000,000 at work (−0.90991%), day 3 +2,200,000 on 109,990,000 (+2.0002%).
const POINTS = [
  point("2026-12-01T00:00:00+09:00", 101_000_000, 100_000_000, 1_000_000, 1),
  point("2026-12-02T00:00:00+09:00", 109_990_000, 110_000_000, -1_010_000, (-1_010_000 * 100) / 111_000_000),
  point("2026-12-03T00:00:00+09:00", 112_190_000, 110_000_000, 2_200_000, (2_200_000 * 100) / 109_990_000),
];

describe("periodChange", () => {
  it("adds the points' changes, leaving the deposit out", () => {
    expect(periodChange(POINTS).profitLoss).toBe(2_190_000);
  });

  it("compounds the points' returns", () => {
    // 1.01 × (1 − 0.0090991) × (1 + 0.0200018) − 1 = 1.0008099 × 1.0200018 − 1 = 0.0208279
    const expected = (1.01 * (1 - 1_010_000 / 111_000_000) * (1 + 2_200_000 / 109_990_000) - 1) * 100;
    expect(periodChange(POINTS).returnRate).toBeCloseTo(expected, 10);
    expect(periodChange(POINTS).returnRate).toBeCloseTo(2.0828, 3);
    expect(periodChange([])).toEqual({ profitLoss: 0, returnRate: 0 });
  });
});

describe("chart times", () => {
  it("puts daily points on their Seoul day and intraday ones on Seoul wall time", () => {
    expect(chartTime(POINTS[0], "1D")).toBe("2026-12-01");
    // 09:05 KST = 00:05Z = 1,796,256,300 s; drawn as 09:05 "UTC"
    expect(chartTime(point("2026-12-03T09:05:00+09:00", 1, 1, 0, 0), "1Min")).toBe(Date.UTC(2026, 11, 3, 9, 5) / 1000);
  });

  it("draws equity or return, one value per time", () => {
    const history = { account: 1, period: "1M", timeframe: "1D", base_value: 100_000_000, points: [...POINTS, { ...POINTS[2], equity: 112_200_000 }] } as AccountHistory;
    expect(chartSeries(history, "equity")).toEqual([
      { time: "2026-12-01", value: 101_000_000 },
      { time: "2026-12-02", value: 109_990_000 },
      { time: "2026-12-03", value: 112_200_000 },
    ]);
    expect(chartSeries(history, "return").map((p) => p.value)).toEqual([1, (-10_000 * 100) / 110_000_000, (2_190_000 * 100) / 110_000_000]);
  });
});
