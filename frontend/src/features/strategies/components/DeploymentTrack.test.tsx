import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBackend, renderWithProviders } from "@/test/render";

// jsdom has no canvas: a stand-in for the charting library records what each line is given.
const charted = vi.hoisted(() => ({ series: [] as { color: string; points: { time: string; value: number }[] }[] }));
vi.mock("lightweight-charts", () => ({
  ColorType: { Solid: "solid" },
  LineSeries: "line",
  createChart: () => ({
    addSeries: (_kind: unknown, options: { color: string }) => ({
      setData: (points: { time: string; value: number }[]) => charted.series.push({ color: options.color, points }),
    }),
    timeScale: () => ({ fitContent: () => undefined }),
    remove: () => undefined,
  }),
}));

import type { TrackRecord } from "../types";
import { DeploymentTrack } from "./DeploymentTrack";

const record: TrackRecord = {
  deployment: {
    id: 3,
    account: 9,
    model_run: 12,
    interval_seconds: 60,
    is_active: true,
    last_trading_day: "2026-11-27",
    last_run_at: "2026-11-27T08:35:00+09:00",
    last_message: "2026-11-27: 2026-11-26 종가로 판단 — 주문 없음",
    deployed_at: "2026-11-26T08:25:00+09:00",
    stopped_at: null,
    start_equity: 10_000_000,
  },
  execution: "open",
  start_equity: 10_000_000,
  first_day: "2026-11-26",
  last_day: "2026-11-27",
  backtest_start: "2026-11-25",
  backtest_through: "2026-11-26",
  backtest_at: "2026-11-27T08:35:01+09:00",
  backtest_error: "",
  days: [
    {
      date: "2026-11-26",
      live_equity: 10_050_000,
      live_return: 0.005,
      live_orders: 1,
      backtest_equity: 10_020_000,
      backtest_return: 0.002,
      backtest_trades: 1,
      difference: 0.003,
    },
    {
      date: "2026-11-27",
      live_equity: 11_040_000,
      live_return: 0.004,
      live_orders: 0,
      backtest_equity: null,
      backtest_return: null,
      backtest_trades: null,
      difference: null,
    },
  ],
  common_days: 1,
  live_metrics: {},
  backtest_metrics: {},
};

describe("DeploymentTrack", () => {
  beforeEach(() => {
    const backend = fakeBackend({ "GET /api/v1/strategies/5/deployment": () => ({ body: record }) });
    vi.stubGlobal("fetch", backend.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("lists each trading day since deployment, the account beside the backtest, newest first", async () => {
    renderWithProviders(<DeploymentTrack strategyId={5} />);
    const table = await screen.findByTestId("track-days");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.getAttribute("data-date"))).toEqual(["2026-11-27", "2026-11-26"]);
    const [today, first] = rows.map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent));
    expect(first).toEqual(["2026-11-26", "10,050,000", "+0.50%", "1", "10,020,000", "+0.20%", "1", "+0.30%"]);
    // the backtest has no close of today yet: only the account's side
    expect(today).toEqual(["2026-11-27", "11,040,000", "+0.40%", "0", "-", "-", "-", "-"]);
    expect(screen.getByText(/배포 성과|Live track record/)).toBeInTheDocument();
    expect(screen.getByText(/2026-11-26 종가까지|close of 2026-11-26/)).toBeInTheDocument();
    expect(screen.getByTestId("track-chart")).toHaveAttribute("data-points", "2");
    // the chart compares returns (deposits move equity, not the return): backtest first, live on top
    expect(charted.series.map((line) => line.points)).toEqual([
      [{ time: "2026-11-26", value: 0.002 }],
      [
        { time: "2026-11-26", value: 0.005 },
        { time: "2026-11-27", value: 0.004 },
      ],
    ]);
  });
});
