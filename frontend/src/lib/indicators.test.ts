import { describe, expect, it } from "vitest";

import { bollinger, ema, macd, rsi, sma } from "./indicators";

// Every expected value below is worked out by hand in the comment next to it.
describe("sma", () => {
  it("averages the last n closes and is null before", () => {
    // (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4
    expect(sma([1, 2, 3, 4, 5], 3)).toEqual([null, null, 2, 3, 4]);
  });
});

describe("ema", () => {
  it("seeds with the SMA and smooths with 2/(n+1)", () => {
    // n = 3 → α = 0.5; seed (2+4+6)/3 = 4; then 8·0.5+4·0.5 = 6; 10·0.5+6·0.5 = 8
    expect(ema([2, 4, 6, 8, 10], 3)).toEqual([null, null, 4, 6, 8]);
  });
});

describe("bollinger", () => {
  it("is the SMA ± 2 population standard deviations", () => {
    // window [2,4,4,4,5,5,7,9]: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /8 = 4, σ = 2
    const bands = bollinger([2, 4, 4, 4, 5, 5, 7, 9], 8, 2);
    expect(bands.middle.at(-1)).toBe(5);
    expect(bands.upper.at(-1)).toBe(9);
    expect(bands.lower.at(-1)).toBe(1);
    expect(bands.upper[6]).toBeNull();
  });
});

describe("rsi", () => {
  it("is 100 with no losses", () => {
    expect(rsi([1, 2, 3, 4], 3).at(-1)).toBe(100);
  });

  it("follows Wilder's smoothing", () => {
    // period 2; changes +2, −1, +3
    // first: gain (2+0)/2 = 1, loss (0+1)/2 = 0.5 → RS 2 → 100 − 100/3 = 66.67
    // next: gain (1·1+3)/2 = 2, loss (0.5·1+0)/2 = 0.25 → RS 8 → 100 − 100/9 = 88.89
    const out = rsi([10, 12, 11, 14], 2);
    expect(out.slice(0, 2)).toEqual([null, null]);
    expect(out[2]).toBeCloseTo(66.6667, 3);
    expect(out[3]).toBeCloseTo(88.8889, 3);
  });
});

describe("macd", () => {
  it("is EMA(fast) − EMA(slow) with a signal EMA over it", () => {
    // fast 1 (the close itself), slow 2 (α 2/3, seed = mean of first two), signal 2
    // closes 1, 3, 6, 10
    // EMA2: i1 = 2; i2 = 6·2/3 + 2/3 = 4.6667; i3 = 10·2/3 + 4.6667/3 = 8.2222
    // MACD: i1 = 3−2 = 1; i2 = 6−4.6667 = 1.3333; i3 = 10−8.2222 = 1.7778
    // signal (EMA2 of MACD from i1): i2 = (1+1.3333)/2 = 1.1667; i3 = 1.7778·2/3 + 1.1667/3 = 1.5741
    const out = macd([1, 3, 6, 10], 1, 2, 2);
    expect(out.macd[0]).toBeNull();
    expect(out.macd[1]).toBeCloseTo(1, 6);
    expect(out.macd[3]).toBeCloseTo(1.7778, 3);
    expect(out.signal[1]).toBeNull();
    expect(out.signal[2]).toBeCloseTo(1.1667, 3);
    expect(out.signal[3]).toBeCloseTo(1.5741, 3);
    expect(out.histogram[3]).toBeCloseTo(1.7778 - 1.5741, 3);
  });
});
