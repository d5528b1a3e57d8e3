import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useLiveMarket } from "@/lib/realtime";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { MarketSymbol, Quote } from "@/types/models";

import { SymbolTable } from "./SymbolTable";

const quote = (code: string, name: string, price: number, prev: number): Quote => ({
  code,
  name,
  price,
  open: prev,
  high: price,
  low: prev,
  prev_close: prev,
  change: price - prev,
  change_rate: Math.round(((price - prev) * 10000) / prev) / 100,
  volume: 1234,
  value: price * 1234,
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

const symbol = (code: string, name: string, price: number, prev: number): MarketSymbol => ({
  code,
  name,
  name_en: name,
  market: "KOSPI",
  sector: "",
  is_active: true,
  is_tradable: true,
  prev_close: prev,
  quote: quote(code, name, price, prev),
});

const ALL = [symbol("005930", "삼성전자", 71_000, 70_000), symbol("000660", "SK하이닉스", 180_000, 181_000)];

describe("SymbolTable", () => {
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    useLiveMarket.setState({ quotes: {}, books: {}, tapes: {} });
    backend = fakeBackend({
      "GET /api/v1/market/symbols": ({ url }) => {
        const search = url.searchParams.get("search") ?? "";
        const results = ALL.filter((s) => !search || s.code.includes(search) || s.name.includes(search));
        return { body: { count: results.length, next: null, previous: null, results } };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("lists symbols with won prices painted by direction, and searches by Korean name or code", async () => {
    const user = userEvent.setup();
    renderWithProviders(<SymbolTable />);
    const samsung = await screen.findByText("삼성전자");
    const row = samsung.closest("tr") as HTMLElement;
    expect(within(row).getByText("71,000")).toHaveClass("dir-up");
    const hynix = screen.getByText("SK하이닉스").closest("tr") as HTMLElement;
    expect(within(hynix).getByText("180,000")).toHaveClass("dir-down");

    await user.type(screen.getByRole("searchbox"), "하이닉스");
    await vi.waitFor(() => expect(screen.queryByText("삼성전자")).toBeNull());
    expect(screen.getByText("SK하이닉스")).toBeInTheDocument();
    expect(backend.calls.at(-1)?.path).toBe("/api/v1/market/symbols");

    await user.clear(screen.getByRole("searchbox"));
    await user.type(screen.getByRole("searchbox"), "005930");
    await vi.waitFor(() => expect(screen.queryByText("SK하이닉스")).toBeNull());
    expect(screen.getByText("삼성전자")).toBeInTheDocument();
  });

  it("follows live quotes from the stream", async () => {
    renderWithProviders(<SymbolTable />);
    const row = (await screen.findByText("삼성전자")).closest("tr") as HTMLElement;
    act(() => useLiveMarket.getState().apply({ type: "quote", quote: quote("005930", "삼성전자", 69_500, 70_000) }));
    expect(within(row).getByText("69,500")).toHaveClass("dir-down");
    expect(row).toHaveTextContent("-500");
  });

  it("shows the server's error with a retry", async () => {
    vi.stubGlobal(
      "fetch",
      fakeBackend({
        "GET /api/v1/market/symbols": () => ({ status: 503, body: { error: { code: "unavailable", message: "Market data unavailable.", fields: {} } } }),
      }).fetch,
    );
    renderWithProviders(<SymbolTable />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Market data unavailable.");
    expect(screen.getByRole("button", { name: "다시 시도" })).toBeInTheDocument();
  });
});
