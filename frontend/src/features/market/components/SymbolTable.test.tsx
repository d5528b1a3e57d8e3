import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useLiveMarket } from "@/lib/realtime";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { MarketSymbol, Quote } from "@/types/models";

import { SymbolTable } from "./SymbolTable";

const quote = (code: string, name: string, price: number, prev: number, volume = 1234): Quote => ({
  code,
  name,
  price,
  open: prev,
  high: price,
  low: prev,
  prev_close: prev,
  change: price - prev,
  change_rate: Math.round(((price - prev) * 10000) / prev) / 100,
  volume,
  value: price * volume,
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

const symbol = (code: string, name: string, price: number, prev: number, volume = 1234, withQuote = true): MarketSymbol => ({
  code,
  name,
  name_en: name,
  market: "KOSPI",
  sector: "",
  is_active: true,
  is_tradable: true,
  prev_close: prev,
  quote: withQuote ? quote(code, name, price, prev, volume) : null,
});

// 등락률: 삼성SDI +1.73%, 삼성전자 +1.43%, SK하이닉스 −0.55%; 셀트리온 has no quote yet.
// 거래량: SK하이닉스 9,000 > 삼성전자 5,000 > 삼성SDI 300.
const ALL = [
  symbol("000660", "SK하이닉스", 180_000, 181_000, 9_000),
  symbol("005930", "삼성전자", 71_000, 70_000, 5_000),
  symbol("006400", "삼성SDI", 264_500, 260_000, 300),
  symbol("068270", "셀트리온", 0, 170_000, 0, false),
];

const codesOnScreen = () => screen.getAllByRole("row").slice(1).map((row) => row.getAttribute("data-code"));

describe("SymbolTable", () => {
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    useLiveMarket.setState({ quotes: {}, books: {}, tapes: {} });
    backend = fakeBackend({
      "GET /api/v1/market/symbols": () => ({ body: { count: ALL.length, next: null, previous: null, results: ALL } }),
      "GET /api/v1/watchlists": () => ({ body: [] }),
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("lists symbols with won prices painted by direction", async () => {
    renderWithProviders(<SymbolTable />);
    const row = (await screen.findByText("삼성전자")).closest("tr") as HTMLElement;
    expect(within(row).getByText("71,000")).toHaveClass("dir-up");
    expect(within(row).getByText("+1.43%")).toHaveClass("dir-up");
    const hynix = screen.getByText("SK하이닉스").closest("tr") as HTMLElement;
    expect(within(hynix).getByText("180,000")).toHaveClass("dir-down");
    // Without a quote the previous close stands in, unpainted.
    const celltrion = screen.getByText("셀트리온").closest("tr") as HTMLElement;
    expect(within(celltrion).getByText("170,000")).toHaveClass("dir-flat");
  });

  it("searches by name, 초성, 줄임말 and code prefix on the loaded list, marking what matched", async () => {
    const user = userEvent.setup();
    renderWithProviders(<SymbolTable />);
    await screen.findByText("삼성전자");
    const box = screen.getByRole("searchbox", { name: "종목코드 또는 종목명 검색" });

    await user.type(box, "하이닉스");
    await vi.waitFor(() => expect(codesOnScreen()).toEqual(["000660"]));

    await user.clear(box);
    await user.type(box, "ㅅㅅ");
    await vi.waitFor(() => expect(codesOnScreen()).toEqual(["005930", "006400"]));
    const marks = within(screen.getAllByRole("row")[1]).getAllByText((_, el) => el?.tagName === "MARK");
    expect(marks.map((m) => m.textContent)).toEqual(["삼성"]);

    await user.clear(box);
    await user.type(box, "삼ㅈ");
    await vi.waitFor(() => expect(codesOnScreen()).toEqual(["005930"]));

    await user.clear(box);
    await user.type(box, "0006");
    await vi.waitFor(() => expect(codesOnScreen()).toEqual(["000660"]));

    await user.clear(box);
    await user.type(box, "5930"); // codes match from the start only
    await vi.waitFor(() => expect(screen.queryByRole("table")).toBeNull());
    expect(screen.getByText("데이터가 없습니다")).toBeInTheDocument();

    // One load of the list, however much was typed.
    expect(backend.calls.filter((c) => c.path === "/api/v1/market/symbols")).toHaveLength(1);
  });

  it("sorts by a column on click, reverses on the second, and says so in aria-sort", async () => {
    const user = userEvent.setup();
    renderWithProviders(<SymbolTable />);
    await screen.findByText("삼성전자");
    const header = (name: string) => screen.getByRole("columnheader", { name: new RegExp(`^${name}`) });
    expect(codesOnScreen()).toEqual(["000660", "005930", "006400", "068270"]); // the list's order (by code)
    expect(header("등락률")).not.toHaveAttribute("aria-sort");

    await user.click(within(header("등락률")).getByRole("button"));
    expect(header("등락률")).toHaveAttribute("aria-sort", "descending");
    expect(codesOnScreen()).toEqual(["006400", "005930", "000660", "068270"]); // no quote: last

    await user.click(within(header("등락률")).getByRole("button"));
    expect(header("등락률")).toHaveAttribute("aria-sort", "ascending");
    expect(codesOnScreen()).toEqual(["000660", "005930", "006400", "068270"]); // still last

    await user.click(within(header("거래량")).getByRole("button"));
    expect(header("거래량")).toHaveAttribute("aria-sort", "descending");
    expect(header("등락률")).not.toHaveAttribute("aria-sort");
    expect(codesOnScreen()).toEqual(["000660", "005930", "006400", "068270"]);

    // 현재가 sorts by the previous close where there is no quote (셀트리온 170,000).
    await user.click(within(header("현재가")).getByRole("button"));
    expect(codesOnScreen()).toEqual(["006400", "000660", "068270", "005930"]);

    // Names in 가나다 order, Hangul before Latin letters as Korean collation has it (삼성전자 < 삼성SDI).
    await user.click(within(header("종목명")).getByRole("button"));
    expect(header("종목명")).toHaveAttribute("aria-sort", "ascending");
    expect(codesOnScreen()).toEqual(["005930", "006400", "068270", "000660"]);
  });

  it("keeps a sort true as live quotes move the rows", async () => {
    const user = userEvent.setup();
    renderWithProviders(<SymbolTable />);
    await screen.findByText("삼성전자");
    await user.click(within(screen.getByRole("columnheader", { name: /^등락률/ })).getByRole("button"));
    expect(codesOnScreen().slice(0, 2)).toEqual(["006400", "005930"]);
    act(() => useLiveMarket.getState().apply({ type: "quote", quote: quote("005930", "삼성전자", 73_500, 70_000) })); // +5%
    expect(codesOnScreen().slice(0, 2)).toEqual(["005930", "006400"]);
    expect(within(screen.getAllByRole("row")[1]).getByText("73,500")).toHaveClass("dir-up");
  });

  it("follows live quotes from the stream", async () => {
    renderWithProviders(<SymbolTable />);
    const row = (await screen.findByText("삼성전자")).closest("tr") as HTMLElement;
    act(() => useLiveMarket.getState().apply({ type: "quote", quote: quote("005930", "삼성전자", 69_500, 70_000) }));
    expect(within(row).getByText("69,500")).toHaveClass("dir-down");
    expect(row).toHaveTextContent("-500");
  });

  it("pages 20 rows at a time, and a new sort goes back to the first page", async () => {
    const many = Array.from({ length: 25 }, (_, i) => symbol(String(100000 + i), `종목${i}`, 10_000 + i * 100, 10_000, 100 + i));
    vi.stubGlobal(
      "fetch",
      fakeBackend({
        "GET /api/v1/market/symbols": () => ({ body: { count: many.length, next: null, previous: null, results: many } }),
        "GET /api/v1/watchlists": () => ({ body: [] }),
      }).fetch,
    );
    const user = userEvent.setup();
    renderWithProviders(<SymbolTable />);
    await screen.findByText("종목0");
    expect(codesOnScreen()).toHaveLength(20);
    expect(screen.getByText("1 / 2")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "다음" }));
    expect(codesOnScreen()).toEqual(["100020", "100021", "100022", "100023", "100024"]);
    await user.click(within(screen.getByRole("columnheader", { name: /^거래량/ })).getByRole("button"));
    expect(screen.getByText("1 / 2")).toBeInTheDocument();
    expect(codesOnScreen()[0]).toBe("100024");
  });

  it("opens the 관심 choice from a row without opening the symbol", async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <Routes>
        <Route path="/" element={<SymbolTable />} />
        <Route path="/symbols/:code" element={<p>symbol page</p>} />
      </Routes>,
    );
    const row = (await screen.findByText("삼성전자")).closest("tr") as HTMLElement;
    await user.click(within(row).getByRole("button", { name: "삼성전자 관심종목에 담기" }));
    expect(await screen.findByRole("dialog", { name: "삼성전자 관심종목" })).toBeInTheDocument();
    expect(screen.queryByText("symbol page")).toBeNull();
    await user.click(screen.getByRole("button", { name: "닫기" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.queryByText("symbol page")).toBeNull();
    // The row itself still opens the symbol.
    await user.click(within(row).getByText("삼성전자"));
    expect(await screen.findByText("symbol page")).toBeInTheDocument();
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
