import { act, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useLiveMarket, useSocketStatuses } from "@/lib/realtime";
import { useUiStore } from "@/stores/ui";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { MarketIndexValue } from "@/types/models";

import { IndexHeader, indexFigures } from "./IndexHeader";

const index = (code: "KS11" | "KQ11", value: number | null, change: number | null, rate: number | null, extra: Partial<MarketIndexValue> = {}): MarketIndexValue => ({
  index: code,
  name: code === "KS11" ? "KOSPI" : "KOSDAQ",
  kind: "live",
  value,
  change,
  change_rate: rate,
  prev_close: value !== null && change !== null ? value - change : 1000,
  prev_close_date: "2026-12-03",
  time: value !== null ? "2026-12-04T10:00:00+09:00" : null,
  symbols: value !== null ? 12 : 0,
  simulated: true,
  ...extra,
});

const NOTE = "모의 시장의 시세로 계산한 모의 지수입니다.";

describe("indexFigures", () => {
  it("writes points to two decimals, the change behind its arrow and the rate with its sign", () => {
    expect(indexFigures({ value: 2612.35, change: 12.4, change_rate: 0.48 })).toEqual({
      value: "2,612.35",
      change: "12.40",
      rate: "+0.48%",
      arrow: "▲",
      direction: "up",
    });
    expect(indexFigures({ value: 745.1, change: -3.21, change_rate: -0.43 })).toEqual({
      value: "745.10",
      change: "3.21",
      rate: "-0.43%",
      arrow: "▼",
      direction: "down",
    });
    expect(indexFigures({ value: 1000, change: 0, change_rate: 0 })).toEqual({
      value: "1,000.00",
      change: "0.00",
      rate: "0.00%",
      arrow: "",
      direction: "flat",
    });
  });

  it("shows a dash and no change before any quote", () => {
    expect(indexFigures({ value: null, change: null, change_rate: null })).toEqual({
      value: "-",
      change: "",
      rate: "",
      arrow: "",
      direction: "flat",
    });
  });
});

describe("IndexHeader", () => {
  let indices: MarketIndexValue[];

  beforeEach(() => {
    useUiStore.setState({ language: "ko" });
    useLiveMarket.setState({ indices: null });
    useSocketStatuses.setState({ statuses: { quotes: "open" } });
    indices = [index("KS11", 2612.35, 12.4, 0.48), index("KQ11", 745.1, -3.21, -0.43)];
    vi.stubGlobal("fetch", fakeBackend({ "GET /api/v1/market/indices": () => ({ body: { indices, note: NOTE } }) }).fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    useUiStore.setState({ language: "ko" });
  });

  it("shows 코스피 and 코스닥, rising red and falling blue, marked 모의", async () => {
    renderWithProviders(<IndexHeader variant="bar" />);
    const header = await screen.findByRole("region", { name: "시장 지수" });
    await vi.waitFor(() => expect(header).toHaveAttribute("data-ready", "true"));
    const kospi = header.querySelector('[data-index="KS11"]') as HTMLElement;
    const kosdaq = header.querySelector('[data-index="KQ11"]') as HTMLElement;
    expect(kospi).toHaveTextContent("코스피2,612.35▲상승 12.40 +0.48%");
    expect(within(kospi).getByText("2,612.35")).toHaveClass("dir-up");
    expect(kospi.querySelector(".index-change")).toHaveClass("dir-up");
    expect(kosdaq).toHaveTextContent("코스닥745.10▼하락 3.21 -0.43%");
    expect(within(kosdaq).getByText("745.10")).toHaveClass("dir-down");
    const tag = within(header).getByTestId("index-simulated");
    expect(tag).toHaveTextContent("모의");
    expect(tag).toHaveAttribute("title", NOTE);
  });

  it("takes a pushed update over the answer it fetched, and speaks English on switch", async () => {
    renderWithProviders(<IndexHeader variant="home" />);
    const header = await screen.findByRole("region", { name: "시장 지수" });
    await vi.waitFor(() => expect(header).toHaveAttribute("data-ready", "true"));
    act(() =>
      useLiveMarket.getState().apply({ type: "market.indices", indices: [index("KS11", 2590.0, -10.0, -0.38), index("KQ11", 750.0, 1.69, 0.23)] }),
    );
    expect(header.querySelector('[data-index="KS11"]')).toHaveTextContent("2,590.00▼하락 10.00 -0.38%");
    act(() => useUiStore.setState({ language: "en" }));
    expect(screen.getByRole("region", { name: "Market indices" }).querySelector('[data-index="KQ11"]')).toHaveTextContent("KOSDAQ750.00▲up 1.69 +0.23%");
    expect(screen.getByTestId("index-simulated")).toHaveTextContent("Sim");
  });

  it("keeps its place with dashes before the first answer, and has no 모의 mark for the real index", async () => {
    indices = [index("KS11", 2612.35, 12.4, 0.48, { kind: "close", simulated: false }), index("KQ11", null, null, null, { kind: "close", simulated: false })];
    renderWithProviders(<IndexHeader variant="bar" />);
    const header = screen.getByRole("region", { name: "시장 지수" });
    expect(header).toHaveAttribute("data-ready", "false");
    expect(header.querySelector('[data-index="KS11"] .index-value')).toHaveTextContent("-");
    await vi.waitFor(() => expect(header).toHaveAttribute("data-ready", "true"));
    expect(header.querySelector('[data-index="KS11"]')).toHaveTextContent("코스피2,612.35▲상승 12.40 +0.48%종가");
    expect(header.querySelector('[data-index="KQ11"] .index-value')).toHaveTextContent("-");
    expect(screen.queryByTestId("index-simulated")).toBeNull();
  });
});
