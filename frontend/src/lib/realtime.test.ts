import { beforeEach, describe, expect, it } from "vitest";

import type { Quote } from "@/types/models";

import { TAPE_LENGTH, useLiveMarket } from "./realtime";

const quote = (price: number): Quote => ({
  code: "005930",
  name: "삼성전자",
  price,
  open: 70_000,
  high: 72_000,
  low: 69_000,
  prev_close: 70_000,
  change: price - 70_000,
  change_rate: 0,
  volume: 10,
  value: 0,
  best_bid: price - 100,
  best_ask: price,
  time: "2026-11-25T10:00:00+09:00",
  phase: "continuous",
  session: null,
  expected_price: null,
  expected_quantity: null,
  vi: null,
  upper_limit: null,
  lower_limit: null,
});

describe("live market store", () => {
  beforeEach(() => useLiveMarket.setState({ quotes: {}, books: {}, tapes: {} }));

  it("keeps the latest quote, the book and a bounded tape, newest first", () => {
    const { apply } = useLiveMarket.getState();
    apply({ type: "quote", quote: quote(71_000) });
    for (let i = 0; i < TAPE_LENGTH + 5; i += 1) {
      apply({ type: "trade", trade: { code: "005930", price: 71_000 + i * 100, quantity: 1, side: "buy", time: "" }, quote: quote(71_000 + i * 100) });
    }
    apply({ type: "book", book: { code: "005930", asks: [{ price: 80_000, quantity: 1 }], bids: [], time: "" } });
    const state = useLiveMarket.getState();
    expect(state.quotes["005930"].price).toBe(71_000 + (TAPE_LENGTH + 4) * 100);
    expect(state.tapes["005930"]).toHaveLength(TAPE_LENGTH);
    expect(state.tapes["005930"][0].price).toBe(71_000 + (TAPE_LENGTH + 4) * 100);
    expect(state.books["005930"].asks[0].price).toBe(80_000);
  });

  it("ignores the stream's control messages", () => {
    const { apply } = useLiveMarket.getState();
    const before = useLiveMarket.getState();
    apply({ type: "hello", stream: "quotes", max_codes: 50 });
    apply({ type: "subscribed", codes: ["005930"] });
    apply({ type: "error", message: "Unknown codes" });
    const after = useLiveMarket.getState();
    expect(after.quotes).toBe(before.quotes);
    expect(after.tapes).toBe(before.tapes);
  });
});
