import { describe, expect, it } from "vitest";

import { anOrder as order } from "@/test/fixtures";

import { isOpenOrder, modifyProblem, openQuantity, planCancel, planModify } from "./orderAction";

describe("planModify (정정)", () => {
  it("sends only the new price, which loses time priority", () => {
    expect(planModify(order(), { price: 50_000, quantity: 10 })).toEqual({
      request: { price: 50_000 },
      price: { from: 49_950, to: 50_000 },
      quantity: null,
      losses: ["price"],
    });
  });

  it("a smaller open quantity keeps the priority; a larger one loses it", () => {
    const smaller = planModify(order(), { price: 49_950, quantity: 4 });
    expect(smaller?.request).toEqual({ quantity: 4 });
    expect(smaller?.losses).toEqual([]);
    const larger = planModify(order(), { price: 49_950, quantity: 15 });
    expect(larger?.request).toEqual({ quantity: 15 });
    expect(larger?.losses).toEqual(["quantityUp"]);
  });

  it("counts the quantity from what is still open, not from the original order", () => {
    // 10 ordered, 3 filled: 7 open; 7 is no change, 5 is a reduction from 7
    const partly = order({ status: "partially_filled", filled_quantity: 3 });
    expect(openQuantity(partly)).toBe(7);
    expect(planModify(partly, { price: 49_950, quantity: 7 })).toBeNull();
    expect(planModify(partly, { price: 49_950, quantity: 5 })).toMatchObject({ request: { quantity: 5 }, quantity: { from: 7, to: 5 }, losses: [] });
  });

  it("both at once: both reasons, both fields", () => {
    expect(planModify(order(), { price: 49_900, quantity: 20 })).toMatchObject({
      request: { price: 49_900, quantity: 20 },
      losses: ["price", "quantityUp"],
    });
  });

  it("nothing changed is no request", () => {
    expect(planModify(order(), { price: 49_950, quantity: 10 })).toBeNull();
  });

  it("never sends a price for an order type without one (최유리·최우선·시장가)", () => {
    const best = order({ type: "best", price: null });
    expect(planModify(best, { price: 50_000, quantity: 10 })).toBeNull();
    expect(planModify(best, { price: 50_000, quantity: 6 })?.request).toEqual({ quantity: 6 });
  });
});

describe("modifyProblem", () => {
  const band = { lower: 34_300, upper: 63_700 };

  it("wants a price on the KRX tick grid and inside today's band", () => {
    expect(modifyProblem(order(), { price: 50_050, quantity: 10 }, band)).toBe("offTick"); // 100-won ticks from 50,000
    expect(modifyProblem(order(), { price: 63_800, quantity: 10 }, band)).toBe("aboveUpper");
    expect(modifyProblem(order(), { price: 34_250, quantity: 10 }, band)).toBe("belowLower");
    expect(modifyProblem(order(), { price: 50_100, quantity: 10 }, band)).toBeNull();
  });

  it("wants at least one share and some change", () => {
    expect(modifyProblem(order(), { price: 49_950, quantity: 0 })).toBe("quantity");
    expect(modifyProblem(order(), { price: 49_950, quantity: 10 })).toBe("unchanged");
  });
});

describe("planCancel (취소)", () => {
  it("all that is open: an empty body", () => {
    expect(planCancel(order(), null)).toEqual({ request: {}, cancelled: 10, remaining: 0 });
    // the whole open quantity named is all of it too
    expect(planCancel(order({ filled_quantity: 4, status: "partially_filled" }), 6)).toEqual({ request: {}, cancelled: 6, remaining: 0 });
  });

  it("part of it: the shares to cancel", () => {
    expect(planCancel(order(), 3)).toEqual({ request: { quantity: 3 }, cancelled: 3, remaining: 7 });
  });

  it("refuses more than is open, or none", () => {
    expect(planCancel(order(), 11)).toBeNull();
    expect(planCancel(order(), 0)).toBeNull();
  });

  it("only new and partly filled orders are open", () => {
    expect(isOpenOrder(order())).toBe(true);
    expect(isOpenOrder(order({ status: "partially_filled" }))).toBe(true);
    expect(isOpenOrder(order({ status: "filled" }))).toBe(false);
    expect(isOpenOrder(order({ status: "cancelled" }))).toBe(false);
  });
});
