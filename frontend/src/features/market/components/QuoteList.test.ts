import { describe, expect, it } from "vitest";

import type { Quote } from "@/types/models";

import { rankLive } from "./QuoteList";

const q = (code: string, change_rate: number, value = 0) => ({ code, change_rate, value }) as Quote;

describe("rankLive", () => {
  it("drops a gainer that turned down from 상승률 상위 and re-ranks by the live rate", () => {
    const snapshot = [q("A", 5), q("B", 3), q("C", 0.4)];
    const live = { C: q("C", -0.39), B: q("B", 6) };
    expect(rankLive(snapshot, live, "up").map((x) => x.code)).toEqual(["B", "A"]);
  });

  it("keeps only falling stocks under 하락률 상위", () => {
    expect(rankLive([q("D", -4), q("E", -1)], { E: q("E", 0.39) }, "down").map((x) => x.code)).toEqual(["D"]);
  });
});
