import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Strategy } from "@/types/models";

import { StrategyCard } from "./StrategyCard";

// jsdom has no canvas: the charting library is replaced by a stand-in that draws nothing.
vi.mock("lightweight-charts", () => ({
  ColorType: { Solid: "solid" },
  LineSeries: "line",
  createChart: () => ({
    addSeries: () => ({ setData: () => undefined }),
    timeScale: () => ({ fitContent: () => undefined }),
    remove: () => undefined,
  }),
}));

const strategy = {
  id: 1,
  name: "walker",
  algorithm: "PPO",
  symbols: ["005930"],
  train_start: "2021-01-04",
  train_end: "2022-12-30",
  test_start: "2023-01-02",
  test_end: "2023-12-28",
  initial_cash: 10_000_000,
  seed: 0,
  use_turbulence: false,
  validation_start: null,
  validation_end: null,
  execution: "open",
  spread_ticks: 1,
  impact: 0.1,
  walk_forward_months: 6,
  walk_forward_training: "rolling",
  is_trained: false,
  trained_run: null,
  deployment: null,
  created_at: "2026-11-25T10:00:00+09:00",
} as unknown as Strategy;

const window = (index: number, test: [string, string], equity: [number, number]) => ({
  index,
  train_start: "2021-01-04",
  train_end: "2022-12-30",
  validation_start: null,
  validation_end: null,
  test_start: test[0],
  test_end: test[1],
  trained_through: index === 1 ? "2022-12-29" : "2023-06-29",
  first_day: test[0],
  last_day: test[1],
  start_equity: equity[0],
  end_equity: equity[1],
  return: equity[1] / equity[0] - 1,
  trades: 4,
  metrics: {},
  model_sha256: "ab".repeat(32),
});

const walkRun = {
  id: 21,
  strategy: 1,
  kind: "walk_forward",
  status: "succeeded",
  job: 8,
  metrics: { cumulative_return: 0.05 },
  error: "",
  created_at: "2026-11-25T10:00:00+09:00",
  finished_at: "2026-11-25T10:05:00+09:00",
};

describe("StrategyCard walk-forward", () => {
  let backend: ReturnType<typeof fakeBackend>;
  beforeEach(() => {
    backend = fakeBackend({
      "GET /api/v1/strategies/1/runs": () => ({ body: [walkRun] }),
      "GET /api/v1/strategies/runs/21": () => ({
        body: {
          ...walkRun,
          equity_curve: [
            { date: "2023-01-02", equity: 10_000_000, benchmark: 10_000_000, baseline: 10_000_000 },
            { date: "2023-12-28", equity: 10_500_000, benchmark: 10_100_000, baseline: 9_900_000 },
          ],
          windows: [window(1, ["2023-01-02", "2023-06-30"], [10_000_000, 10_200_000]), window(2, ["2023-07-03", "2023-12-28"], [10_200_000, 10_500_000])],
        },
      }),
      "POST /api/v1/strategies/1/walk-forward": () => ({ status: 202, body: { ...walkRun, id: 22, status: "queued" } }),
    });
    vi.stubGlobal("fetch", backend.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("starts a walk-forward run and shows the stitched curve with the per-window table", async () => {
    const user = userEvent.setup();
    renderWithProviders(<StrategyCard strategy={strategy} accounts={[]} />);
    await user.click(screen.getByRole("button", { name: /^(워크포워드|Walk-forward)$/ }));
    await waitFor(() => expect(backend.calls.some((c) => c.method === "POST" && c.path === "/api/v1/strategies/1/walk-forward")).toBe(true));

    await user.click(await screen.findByRole("button", { name: /결과|Result/ }));
    const table = await screen.findByTestId("walk-forward-windows");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.getAttribute("data-window"))).toEqual(["1", "2"]);
    const cells = within(rows[1]).getAllByRole("cell").map((cell) => cell.textContent);
    expect(cells).toEqual(["2", "2021-01-04 – 2022-12-30", "-", "2023-06-29", "2023-07-03 – 2023-12-28", "10,200,000", "10,500,000", "+2.94%", "4"]);
    expect(screen.getByText(/이어 붙인 테스트 구간|Stitched equity curve/)).toBeInTheDocument();
    expect(screen.getByTestId("equity-curve")).toHaveAttribute("data-points", "2");
  });

  it("offers walk-forward only once its interval is set", () => {
    renderWithProviders(<StrategyCard strategy={{ ...strategy, walk_forward_months: null }} accounts={[]} />);
    expect(screen.getByRole("button", { name: /^(워크포워드|Walk-forward)$/ })).toBeDisabled();
  });
});
