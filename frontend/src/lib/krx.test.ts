import { describe, expect, it } from "vitest";

import { estimateOrderCost, isOnTick, roundToTick, tickDown, tickSizeFor, tickUp } from "./krx";

describe("KRX tick table (same as market/rules.py)", () => {
  it.each([
    [1_999, 1],
    [2_000, 5],
    [4_995, 5],
    [5_000, 10],
    [19_990, 10],
    [20_000, 50],
    [49_950, 50],
    [50_000, 100],
    [199_900, 100],
    [200_000, 500],
    [499_500, 500],
    [500_000, 1_000],
  ])("tick at %i is %i", (price, tick) => {
    expect(tickSizeFor(price)).toBe(tick);
  });

  it("steps across tick boundaries onto the grid", () => {
    expect(tickUp(49_950)).toBe(50_000);
    expect(tickUp(50_000)).toBe(50_100);
    expect(tickDown(50_000)).toBe(49_950);
    expect(tickDown(50_100)).toBe(50_000);
    expect(tickDown(2_000)).toBe(1_999);
    expect(tickUp(1_999)).toBe(2_000);
    expect(tickDown(1)).toBe(1);
    expect(tickUp(71_000, 3)).toBe(71_300);
  });

  it("rounds onto the grid", () => {
    expect(roundToTick(71_234)).toBe(71_200);
    expect(roundToTick(71_250)).toBe(71_300);
    expect(roundToTick(71_234, "up")).toBe(71_300);
    expect(roundToTick(49_990, "down")).toBe(49_950);
    expect(roundToTick(0.5)).toBe(1);
    expect(isOnTick(71_200)).toBe(true);
    expect(isOnTick(71_250)).toBe(false);
  });
});

describe("estimateOrderCost", () => {
  it("adds commission to a buy", () => {
    expect(estimateOrderCost({ side: "buy", price: 71_000, quantity: 10, commissionRate: "0.00015", sellTaxRate: "0.002" })).toEqual({
      notional: 710_000,
      commission: 106,
      tax: 0,
      total: 710_106,
    });
  });

  it("takes commission and the sell tax off a sale, rounded down to the won", () => {
    expect(estimateOrderCost({ side: "sell", price: 71_000, quantity: 10, commissionRate: "0.00015", sellTaxRate: "0.002" })).toEqual({
      notional: 710_000,
      commission: 106,
      tax: 1_420,
      total: 708_474,
    });
  });
});
