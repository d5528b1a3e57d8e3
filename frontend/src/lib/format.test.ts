import { describe, expect, it } from "vitest";

import { direction, directionClass, formatKoreanAmount, formatPercent, formatSignedWon, formatTime, formatWon, formatWonUnit, seoulDay } from "./format";

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
