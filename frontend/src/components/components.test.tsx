import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { OrderBookView } from "@/features/market/components/OrderBookView";
import { ApiError } from "@/lib/api";
import { useSocketStatuses } from "@/lib/realtime";
import { ANNOUNCE_QUIET_MS, useToasts } from "@/stores/toasts";
import { useUiStore } from "@/stores/ui";
import { renderWithProviders } from "@/test/render";

import { ConnectionBanner } from "./ConnectionBanner";
import { QueryState } from "./QueryState";
import { Toaster } from "./Toaster";

describe("ConnectionBanner", () => {
  it("shows 재연결 중… while a stream is down and recovers when it reopens", () => {
    useUiStore.setState({ language: "ko" });
    renderWithProviders(<ConnectionBanner />);
    act(() => {
      useSocketStatuses.getState().set("quotes", "open");
      useSocketStatuses.getState().set("orders", "open");
    });
    expect(screen.getByTestId("ws-status")).toHaveAttribute("data-status", "open");
    act(() => useSocketStatuses.getState().set("quotes", "reconnecting"));
    expect(screen.getByRole("status")).toHaveTextContent("재연결 중…");
    act(() => useUiStore.setState({ language: "en" }));
    expect(screen.getByRole("status")).toHaveTextContent("reconnecting…");
    act(() => useSocketStatuses.getState().set("quotes", "open"));
    expect(screen.getByTestId("ws-status")).toHaveAttribute("data-status", "open");
    expect(screen.queryByText(/reconnecting/)).toBeNull();
  });
});

describe("OrderBookView", () => {
  const book = {
    code: "005930",
    asks: Array.from({ length: 10 }, (_, i) => ({ price: 71_100 + i * 100, quantity: 100 + i })),
    bids: Array.from({ length: 10 }, (_, i) => ({ price: 71_000 - i * 100, quantity: 200 + i })),
    time: "2026-11-25T10:00:00+09:00",
  };

  it("lists 10 asks above 10 bids, best prices in the middle, coloured against the previous close", async () => {
    const onPrice = vi.fn();
    renderWithProviders(<OrderBookView book={book} prevClose={71_050} onPrice={onPrice} />);
    const rows = screen.getAllByRole("row").slice(1, -1); // the header and the 총잔량 footer aside
    expect(rows).toHaveLength(20);
    const sum = (levels: { quantity: number }[]) => levels.reduce((total, level) => total + level.quantity, 0).toLocaleString("ko-KR");
    expect(screen.getByTestId("total-ask")).toHaveTextContent(sum(book.asks));
    expect(screen.getByTestId("total-bid")).toHaveTextContent(sum(book.bids));
    expect(rows[0]).toHaveAttribute("data-side", "ask");
    expect(rows[0]).toHaveTextContent("72,000");
    expect(rows[9]).toHaveTextContent("71,100"); // best ask just above the spread
    expect(rows[10]).toHaveAttribute("data-side", "bid");
    expect(rows[10]).toHaveTextContent("71,000"); // best bid just below
    expect(rows[9].querySelector(".price")).toHaveClass("dir-up");
    expect(rows[10].querySelector(".price")).toHaveClass("dir-down");
    await userEvent.setup().click(screen.getByRole("button", { name: "71,100" }));
    expect(onPrice).toHaveBeenCalledWith(71_100);
  });
});

describe("QueryState", () => {
  const base = { isPending: false, isError: false, error: null as unknown, data: undefined as string[] | undefined, refetch: vi.fn() };

  it("renders loading, error with retry, empty and data", async () => {
    useUiStore.setState({ language: "ko" });
    const view = (query: typeof base) => (
      <QueryState query={query} isEmpty={(d) => d.length === 0}>
        {(d) => <p>{d.join(",")}</p>}
      </QueryState>
    );
    const { rerender } = renderWithProviders(view({ ...base, isPending: true }));
    expect(screen.getByRole("status")).toHaveTextContent("불러오는 중…");
    const refetch = vi.fn();
    rerender(view({ ...base, isError: true, error: new ApiError(500, "server", "boom"), refetch }));
    expect(screen.getByRole("alert")).toHaveTextContent("boom");
    await userEvent.setup().click(screen.getByRole("button", { name: "다시 시도" }));
    expect(refetch).toHaveBeenCalled();
    rerender(view({ ...base, data: [] }));
    expect(screen.getByText("데이터가 없습니다")).toBeInTheDocument();
    rerender(view({ ...base, data: ["a", "b"] }));
    expect(screen.getByText("a,b")).toBeInTheDocument();
  });
});

describe("Toaster", () => {
  it("shows one toast per order as its fills arrive, and tells the screen reader once", () => {
    vi.useFakeTimers();
    try {
      useUiStore.setState({ language: "ko" });
      useToasts.getState().clear();
      renderWithProviders(<Toaster />);
      act(() => {
        for (const filled of [30, 90, 120]) useToasts.getState().push({ key: "fill-41", text: `삼성전자 매수 체결 ${filled}주`, tone: "buy" });
      });
      const toasts = screen.getAllByTestId("toast");
      expect(toasts.map((t) => t.textContent)).toEqual(["삼성전자 매수 체결 120주"]);
      // The toasts are no live region: their text changes are not read out as they happen.
      expect(screen.getByTestId("toaster")).not.toHaveAttribute("aria-live");
      const announcer = screen.getByRole("status");
      expect(announcer).toHaveTextContent(/^$/);
      act(() => vi.advanceTimersByTime(ANNOUNCE_QUIET_MS));
      expect(announcer).toHaveTextContent("삼성전자 매수 체결 120주");
      act(() => toasts[0].click());
      expect(screen.queryAllByTestId("toast")).toEqual([]);
    } finally {
      useToasts.getState().clear();
      vi.useRealTimers();
    }
  });
});
