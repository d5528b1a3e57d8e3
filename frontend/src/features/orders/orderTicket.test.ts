import { describe, expect, it } from "vitest";

import { bandViolation, maxBuyQuantity, quantityForShare, sellableQuantity } from "./orderTicket";

describe("maxBuyQuantity", () => {
  it("leaves room for the commission", () => {
    // 10 × 70,000 = 700,000 + commission 0.015% = 105 → 700,105 > 700,000, so 9
    expect(maxBuyQuantity({ cash: 700_000, price: 70_000, commissionRate: 0.00015 })).toBe(9);
    // 700,105 covers 10 shares and their 105 won commission exactly
    expect(maxBuyQuantity({ cash: 700_105, price: 70_000, commissionRate: 0.00015 })).toBe(10);
  });

  it("is zero without cash or price", () => {
    expect(maxBuyQuantity({ cash: 0, price: 70_000, commissionRate: 0 })).toBe(0);
    expect(maxBuyQuantity({ cash: 1_000, price: 0, commissionRate: 0 })).toBe(0);
  });
});

describe("sellableQuantity", () => {
  it("is the holding less what open sells reserve", () => {
    expect(sellableQuantity({ quantity: 30, reserved_quantity: 12 })).toBe(18);
    expect(sellableQuantity(undefined)).toBe(0);
  });
});

describe("quantityForShare", () => {
  it("rounds down, but never below one share when any is possible", () => {
    expect(quantityForShare(37, 25)).toBe(9);
    expect(quantityForShare(37, 100)).toBe(37);
    expect(quantityForShare(3, 10)).toBe(1);
    expect(quantityForShare(0, 50)).toBe(0);
  });
});

describe("bandViolation", () => {
  const band = { lower: 49_000, upper: 91_000 };
  it("refuses prices outside today's band rather than clamping them", () => {
    expect(bandViolation(91_100, band)).toBe("above");
    expect(bandViolation(48_950, band)).toBe("below");
    expect(bandViolation(91_000, band)).toBeNull();
    expect(bandViolation(49_000, band)).toBeNull();
    expect(bandViolation(1, null)).toBeNull();
  });
});
