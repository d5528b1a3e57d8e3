import { describe, expect, it } from "vitest";

import type { Candle, Quote } from "@/types/models";

import { liveBar, liveIntradayBar, periodKey } from "./liveBar";

const quote = (over: Partial<Quote>): Quote => ({
  code: "005930",
  name: "삼성전자",
  price: 71_000,
  open: 70_000,
  high: 71_500,
  low: 69_800,
  prev_close: 70_000,
  change: 1_000,
  change_rate: 1.43,
  volume: 1_234_567,
  value: 0,
  best_bid: 70_900,
  best_ask: 71_000,
  time: "2026-11-25T10:00:00+09:00",
  phase: "continuous",
  session: null,
  expected_price: null,
  expected_quantity: null,
  vi: null,
  upper_limit: null,
  lower_limit: null,
  ...over,
});
const bar = (time: string, close = 70_000): Candle => ({ time, open: 69_000, high: 70_500, low: 68_900, close, volume: 1000 });

describe("liveBar", () => {
  it("daily: the quote's session replaces today's bar", () => {
    expect(liveBar(bar("2026-11-25"), quote({}), "1d")).toEqual({
      bar: { time: "2026-11-25", open: 70_000, high: 71_500, low: 69_800, close: 71_000, volume: 1_234_567 },
      isNew: false,
    });
  });

  it("daily: a quote from a later day opens a new bar; an older one is ignored", () => {
    expect(liveBar(bar("2026-11-24"), quote({}), "1d")?.isNew).toBe(true);
    expect(liveBar(bar("2026-11-26"), quote({}), "1d")).toBeNull();
  });

  it("weekly: extends the week's bar without touching its volume", () => {
    const result = liveBar(bar("2026-11-23"), quote({ price: 71_000 }), "1w");
    expect(result).toEqual({ bar: { ...bar("2026-11-23"), high: 71_000, close: 71_000 }, isNew: false });
  });

  it("monthly: a new month opens a bar", () => {
    expect(liveBar(bar("2026-10-01"), quote({}), "1M")?.isNew).toBe(true);
    expect(liveBar(bar("2026-11-02"), quote({}), "1M")?.isNew).toBe(false);
  });

  it("keys periods by day, ISO week and month", () => {
    expect(periodKey("2026-11-25", "1w")).toBe("2026-11-23");
    expect(periodKey("2026-11-23", "1w")).toBe("2026-11-23");
    expect(periodKey("2026-11-29", "1w")).toBe("2026-11-23");
    expect(periodKey("2026-11-25", "1M")).toBe("2026-11");
  });
});

describe("liveIntradayBar", () => {
  const quote = (time: string, price: number, volume: number) =>
    ({ code: "005930", price, open: 70_000, high: 71_000, low: 69_000, volume, time }) as unknown as Quote;
  it("extends the 5-minute bar the quote falls in and opens the next one", () => {
    // 09:03:10 KST = 00:03:10Z → the 00:00Z bucket (09:00 KST)
    const first = liveIntradayBar(undefined, quote("2026-12-02T00:03:10Z", 70_100, 1_000), "5m", null);
    expect(first?.bar).toMatchObject({ time: "2026-12-02T00:00:00.000Z", open: 70_100, close: 70_100, volume: 0 });
    const same = liveIntradayBar(first?.bar, quote("2026-12-02T00:04:59Z", 70_300, 1_250), "5m", 1_000);
    expect(same).toMatchObject({ isNew: false, bar: { high: 70_300, low: 70_100, close: 70_300, volume: 250 } });
    const next = liveIntradayBar(same?.bar, quote("2026-12-02T00:05:00Z", 70_200, 1_300), "5m", 1_250);
    expect(next).toMatchObject({ isNew: true, bar: { time: "2026-12-02T00:05:00.000Z", open: 70_200, volume: 50 } });
  });
});
