import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { translate } from "@/lib/i18n";
import { ANNOUNCE_QUIET_MS, useToasts } from "@/stores/toasts";
import { anOrder } from "@/test/fixtures";
import type { Order } from "@/types/models";

import { applyFill, FillTracker, fillToast } from "./fillToast";

const ko = (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) => translate("ko", key, values);
const en = (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) => translate("en", key, values);

/** A market buy of 120 that swept three ask levels: the server's fill messages, in order. */
function sweep(): { trade: { id: number; quantity: number; price: number }; order: Order }[] {
  // Every fill message of one transaction carries the order as it stands after all of them.
  const final = anOrder({ id: 41, type: "market", price: null, quantity: 120, status: "filled", filled_quantity: 120, avg_fill_price: "70150.0000" });
  return [
    { trade: { id: 1, quantity: 30, price: 70_000 }, order: final },
    { trade: { id: 2, quantity: 60, price: 70_100 }, order: final },
    { trade: { id: 3, quantity: 30, price: 70_400 }, order: final },
  ];
}

describe("applyFill", () => {
  it("takes the order's cumulative figures, which count the fills before the page opened too", () => {
    const order = anOrder({ quantity: 100, status: "partially_filled", filled_quantity: 40, avg_fill_price: "70025.5000" });
    const fills = applyFill(undefined, { id: 9, quantity: 10, price: 70_100 }, order);
    expect(fills).toMatchObject({ orderId: 12, name: "삼성전자", side: "buy", filled: 40, averagePrice: 70_025.5, done: false });
  });

  it("falls back on the fills heard when the order says less, and never goes back", () => {
    const stale = anOrder({ quantity: 100, status: "new", filled_quantity: 0, avg_fill_price: null });
    let fills = applyFill(undefined, { id: 1, quantity: 10, price: 70_000 }, stale);
    fills = applyFill(fills, { id: 2, quantity: 30, price: 70_200 }, stale);
    expect(fills).toMatchObject({ filled: 40, averagePrice: 70_150, done: false });
    // A message from an earlier batch, with fewer shares: the figures stay.
    const earlier = anOrder({ quantity: 100, status: "partially_filled", filled_quantity: 10, avg_fill_price: "70000" });
    fills = applyFill(fills, { id: 3, quantity: 5, price: 70_300 }, earlier);
    expect(fills.filled).toBe(45);
  });

  it("counts a fill heard twice once", () => {
    const [first] = sweep();
    const fills = applyFill(undefined, first.trade, first.order);
    expect(applyFill(fills, first.trade, first.order)).toBe(fills);
  });

  it("is done when the order is filled", () => {
    let fills;
    for (const { trade, order } of sweep()) fills = applyFill(fills, trade, order);
    expect(fills).toMatchObject({ filled: 120, averagePrice: 70_150, done: true });
  });
});

describe("fillToast", () => {
  it("says the side, the shares so far and their average, then 전량 체결", () => {
    const partial = applyFill(undefined, { id: 1, quantity: 30, price: 70_000 }, anOrder({ quantity: 120, filled_quantity: 30, avg_fill_price: "70000", status: "partially_filled" }));
    expect(fillToast(partial, ko)).toEqual({ key: "fill-12", tone: "buy", text: "삼성전자 매수 체결 30주 · 평균 70,000원" });
    const done = applyFill(partial, { id: 2, quantity: 90, price: 70_200 }, anOrder({ quantity: 120, filled_quantity: 120, avg_fill_price: "70150", status: "filled" }));
    expect(fillToast(done, ko).text).toBe("삼성전자 매수 전량 체결 120주 · 평균 70,150원");
    expect(fillToast(done, en).text).toBe("삼성전자: buy fully filled, 120 sh · avg ₩70,150");
  });

  it("a sell is blue and says 매도", () => {
    const sold = applyFill(undefined, { id: 5, quantity: 3, price: 69_900 }, anOrder({ side: "sell", quantity: 10, filled_quantity: 3, avg_fill_price: "69900", status: "partially_filled" }));
    expect(fillToast(sold, ko)).toEqual({ key: "fill-12", tone: "sell", text: "삼성전자 매도 체결 3주 · 평균 69,900원" });
    expect(fillToast(sold, en).text).toBe("삼성전자: sold 3 sh · avg ₩69,900");
  });
});

describe("a sweep's fill messages through the tracker and the toasts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useToasts.getState().clear();
  });
  afterEach(() => {
    useToasts.getState().clear();
    vi.useRealTimers();
  });

  it("is one toast and one announcement; two orders at once are two toasts", () => {
    const tracker = new FillTracker();
    const push = (trade: { id: number; quantity: number; price: number }, order: Order) => {
      const fills = tracker.add(trade, order);
      if (fills) useToasts.getState().push(fillToast(fills, ko));
    };
    for (const { trade, order } of sweep()) push(trade, order);
    push(sweep()[1].trade, sweep()[1].order); // heard again: nothing
    expect(useToasts.getState().toasts.map((t) => t.text)).toEqual(["삼성전자 매수 전량 체결 120주 · 평균 70,150원"]);

    push({ id: 10, quantity: 5, price: 120_000 }, anOrder({ id: 42, symbol: "000660", symbol_name: "SK하이닉스", side: "sell", quantity: 5, filled_quantity: 5, avg_fill_price: "120000", status: "filled" }));
    expect(useToasts.getState().toasts.map((t) => t.key)).toEqual(["fill-42", "fill-41"]);
    vi.advanceTimersByTime(ANNOUNCE_QUIET_MS);
    expect(useToasts.getState().announcement).toEqual({
      text: "SK하이닉스 매도 전량 체결 5주 · 평균 120,000원\n삼성전자 매수 전량 체결 120주 · 평균 70,150원",
      seq: 1,
    });
  });
});
