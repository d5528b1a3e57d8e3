import { describe, expect, it } from "vitest";

import { anOrder } from "@/test/fixtures";

import { grabTolerance, isDraggableOrder, lineAt, priceAtY } from "./orderLines";

/** A 400 px pane from 60,000 at its top to 40,000 at its bottom: 50 won a pixel. */
const scale = (y: number) => 60_000 - 50 * y;

describe("priceAtY", () => {
  it("is the chart's price at the pointer when that is on the tick grid", () => {
    expect(priceAtY(200, 400, scale)).toBe(50_000);
    expect(priceAtY(120, 400, scale)).toBe(54_000);
  });

  it("goes to the nearest tick of the price under 50,000 (50 won)", () => {
    // 60,000 − 50 × 200.6 = 49,970: 20 above 49,950, 30 under 50,000
    expect(priceAtY(200.6, 400, scale)).toBe(49_950);
    // 49,980: 30 above 49,950, 20 under 50,000
    expect(priceAtY(200.4, 400, scale)).toBe(50_000);
  });

  it("goes to the nearest tick of the price from 50,000 up (100 won)", () => {
    // 50,035: 35 above 50,000, 65 under 50,100
    expect(priceAtY(199.3, 400, scale)).toBe(50_000);
    // 50,055: 55 above 50,000, 45 under 50,100
    expect(priceAtY(198.9, 400, scale)).toBe(50_100);
  });

  it("uses the tick of each side of 200,000 (100 won under it, 500 won from it)", () => {
    const high = (y: number) => 210_000 - 100 * y;
    expect(priceAtY(100.4, 400, high)).toBe(200_000); // 199,960: 60 above 199,900, 40 under 200,000
    expect(priceAtY(97.6, 400, high)).toBe(200_000); // 200,240: 240 above 200,000, 260 under 200,500
    expect(priceAtY(97.4, 400, high)).toBe(200_500); // 200,260: 260 above 200,000, 240 under 200,500
  });

  it("takes the tick above on a tie, and 1-won ticks under 2,000", () => {
    const low = (y: number) => 2_100 - y; // a won a pixel
    expect(priceAtY(95, 400, low)).toBe(2_005);
    expect(priceAtY(97.5, 400, low)).toBe(2_005); // 2,002.5: 2.5 from 2,000 and from 2,005
    expect(priceAtY(101, 400, low)).toBe(1_999);
    expect(priceAtY(101.4, 400, low)).toBe(1_999); // 1,998.6
  });

  it("keeps the pointer on the pane: above its top is the top's price, below its bottom the bottom's", () => {
    expect(priceAtY(-30, 400, scale)).toBe(60_000);
    expect(priceAtY(450, 400, scale)).toBe(40_000);
  });

  it("is never under 1 won, and null while the scale has no price", () => {
    expect(priceAtY(15, 400, (y) => 10 - y)).toBe(1);
    expect(priceAtY(15, 400, () => null)).toBeNull();
    expect(priceAtY(15, 400, () => Number.NaN)).toBeNull();
  });
});

describe("lineAt", () => {
  const lines = [
    { id: 1, y: 100 },
    { id: 2, y: 108 },
  ];

  it("takes the nearest line within the tolerance", () => {
    expect(lineAt(103, lines, 5, 400)).toBe(1); // 3 px from 1, 5 px from 2
    expect(lineAt(105, lines, 5, 400)).toBe(2); // 5 px from 1, 3 px from 2
    expect(lineAt(104, lines, 5, 400)).toBe(1); // 4 px from each: the first listed
    expect(lineAt(100, lines, 5, 400)).toBe(1);
  });

  it("takes none farther than the tolerance: a finger reaches farther than a mouse", () => {
    expect(lineAt(114, lines, grabTolerance("mouse"), 400)).toBeNull(); // 6 px from 2
    expect(lineAt(114, lines, grabTolerance("touch"), 400)).toBe(2);
    expect(lineAt(85, lines, grabTolerance("touch"), 400)).toBe(1); // 15 px from 1
    expect(lineAt(83, lines, grabTolerance("touch"), 400)).toBeNull(); // 17 px
  });

  it("ignores lines the scale cannot place or that lie off the pane, and presses off the pane", () => {
    expect(lineAt(2, [{ id: 3, y: null }, { id: 4, y: -3 }], 5, 400)).toBeNull();
    expect(lineAt(398, [{ id: 5, y: 403 }], 5, 400)).toBeNull();
    expect(lineAt(402, [{ id: 6, y: 399 }], 5, 400)).toBeNull(); // the press is on the volume pane
    expect(lineAt(397, [{ id: 6, y: 399 }], 5, 400)).toBe(6);
  });
});

describe("isDraggableOrder", () => {
  it("is an open order with a price that a 정정 can change", () => {
    expect(isDraggableOrder(anOrder())).toBe(true);
    expect(isDraggableOrder(anOrder({ status: "partially_filled", filled_quantity: 4 }))).toBe(true);
    expect(isDraggableOrder(anOrder({ type: "conditional" }))).toBe(true);
  });

  it("is not a market order, an order no longer open, or one without a price", () => {
    expect(isDraggableOrder(anOrder({ type: "market", price: null }))).toBe(false);
    expect(isDraggableOrder(anOrder({ type: "best" }))).toBe(false);
    expect(isDraggableOrder(anOrder({ status: "filled", filled_quantity: 10 }))).toBe(false);
    expect(isDraggableOrder(anOrder({ status: "cancelled" }))).toBe(false);
    expect(isDraggableOrder(anOrder({ price: null }))).toBe(false);
  });
});
