import { describe, expect, it } from "vitest";

import {
  direction,
  directionClass,
  formatCompactWon,
  formatDateTime,
  formatKoreanAmount,
  formatPercent,
  formatSignedWon,
  formatTime,
  formatWon,
  formatWonUnit,
  seoulDateTime,
  seoulDay,
} from "./format";

describe("Korean market formatting", () => {
  it("writes won with thousands separators", () => {
    expect(formatWon(71500)).toBe("71,500");
    expect(formatWon("1234567")).toBe("1,234,567");
    expect(formatWon(null)).toBe("-");
    expect(formatWonUnit(71500)).toBe("71,500원");
    expect(formatWonUnit(71500, "en")).toBe("₩71,500");
    expect(formatSignedWon(1500)).toBe("+1,500");
    expect(formatSignedWon(-300)).toBe("-300");
  });

  it("shows rates with a sign, percent or fraction", () => {
    expect(formatPercent(1.234)).toBe("+1.23%");
    expect(formatPercent(-0.5)).toBe("-0.50%");
    expect(formatPercent(0.1234, { fraction: true })).toBe("+12.34%");
    expect(formatPercent(-0.0014)).toBe("0.00%");
  });

  it("paints rising red and falling blue", () => {
    expect(direction(10)).toBe("up");
    expect(direction(-1)).toBe("down");
    expect(direction(0)).toBe("flat");
    expect(directionClass(5)).toBe("dir-up");
    expect(directionClass("-0.3")).toBe("dir-down");
  });

  it("shows times in Asia/Seoul whatever the browser zone", () => {
    expect(formatTime("2026-11-25T00:03:27Z")).toBe("09:03:27");
    expect(formatTime("2026-11-25T09:03:27+09:00")).toBe("09:03:27");
    expect(seoulDay("2026-11-24T16:30:00Z")).toBe("2026-11-25");
  });
});

describe("formatKoreanAmount", () => {
  it("reads in 조/억/만/원, rounded down", () => {
    expect(formatKoreanAmount(1_234_567_890_000)).toBe("1조 2,345억");
    expect(formatKoreanAmount(2_000_000_000_000)).toBe("2조");
    expect(formatKoreanAmount(987_654_321_000)).toBe("9,876억");
    expect(formatKoreanAmount(45_678_900)).toBe("4,567만");
    expect(formatKoreanAmount(8_900)).toBe("8,900원");
    expect(formatKoreanAmount(-150_000_000)).toBe("-1억");
    expect(formatKoreanAmount(null)).toBe("-");
  });
});

describe("Seoul times for the journal and its CSV", () => {
  it("writes midnight as 00, not 24", () => {
    expect(formatTime("2026-12-02T15:00:05Z")).toBe("00:00:05");
    expect(formatDateTime("2026-12-02T15:00:05Z")).toContain("00:00:05");
  });

  it("writes a spreadsheet's date and time in Seoul", () => {
    expect(seoulDateTime("2026-12-03T05:03:27.123456Z")).toBe("2026-12-03 14:03:27");
    expect(seoulDateTime("2026-12-02T15:00:05Z")).toBe("2026-12-03 00:00:05");
    expect(seoulDateTime("2026-12-03T09:00:00+09:00")).toBe("2026-12-03 09:00:00");
    expect(seoulDateTime(null)).toBe("");
    expect(seoulDateTime("not a time")).toBe("");
  });
});

describe("formatCompactWon", () => {
  it("fits a calendar cell, cut toward zero", () => {
    expect(formatCompactWon(8_900)).toBe("8,900");
    expect(formatCompactWon(-8_900.7)).toBe("-8,900");
    expect(formatCompactWon(123_456)).toBe("12.3만");
    expect(formatCompactWon(100_999)).toBe("10만");
    expect(formatCompactWon(-999_999)).toBe("-99.9만");
    expect(formatCompactWon(12_345_678)).toBe("1,234만");
    expect(formatCompactWon(1_239_000_000)).toBe("12.3억");
    expect(formatCompactWon(123_456_789_000)).toBe("1,234억");
    expect(formatCompactWon(1_290_000_000_000)).toBe("1.2조");
    expect(formatCompactWon(0)).toBe("0");
    expect(formatCompactWon(null)).toBe("-");
  });

  it("marks gains with + when asked", () => {
    expect(formatCompactWon(54_321, { signed: true })).toBe("+5.4만");
    expect(formatCompactWon(-54_321, { signed: true })).toBe("-5.4만");
    expect(formatCompactWon(0, { signed: true })).toBe("0");
  });
});
