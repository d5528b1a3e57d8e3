import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useUiStore } from "@/stores/ui";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Account } from "@/types/models";

import type { Activity } from "../api/history";
import { RealizedPnlCard } from "./RealizedPnl";
import { TradeJournalCard } from "./TradeJournal";

const base: Activity = {
  id: "",
  type: "fill",
  time: "",
  amount: 0,
  balance_after: null,
  symbol: "005930",
  symbol_name: "삼성전자",
  side: null,
  quantity: null,
  price: null,
  order: null,
  trade: null,
  note: "",
  trade_date: null,
  settlement_date: null,
};

const fill = (trade: number, time: string, side: "buy" | "sell", quantity: number, price: number): Activity => ({
  ...base,
  id: `fill:${trade}`,
  time,
  side,
  quantity,
  price,
  trade,
  order: 100 + trade,
  amount: side === "sell" ? price * quantity : -price * quantity,
});
const cost = (trade: number, time: string, type: "commission" | "tax", amount: number): Activity => ({ ...base, id: `cash:${type}${trade}`, type, time, trade, amount: -amount });

// Newest first, as the API lists them, in two pages.
//  12-02 10:00:00  buy 10 @ 70,000, fee 105                 realised −105
//  12-03 14:03:27  sell 4 @ 72,000, fee 43, tax 576: released 700,000 × 4 ÷ 10 = 280,000
//                  288,000 − 280,000 − 43 − 576              realised 7,381
const PAGE_1 = [cost(2, "2026-12-03T14:03:27+09:00", "tax", 576), cost(2, "2026-12-03T14:03:27+09:00", "commission", 43), fill(2, "2026-12-03T14:03:27+09:00", "sell", 4, 72_000)];
const PAGE_2 = [cost(1, "2026-12-02T10:00:00+09:00", "commission", 105), fill(1, "2026-12-02T10:00:00+09:00", "buy", 10, 70_000)];

const account = { id: 7, name: "기본 계좌" } as Account;

describe("매매일지 and 실현손익 over the activities API", () => {
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    backend = fakeBackend({
      "GET /api/v1/accounts/7/activities": ({ url }) => {
        expect(url.searchParams.get("type")).toBe("fill,commission,tax,reset");
        return url.searchParams.get("page_token") === "p2"
          ? { body: { next: null, page_token: null, results: PAGE_2 } }
          : { body: { next: "http://x/?page_token=p2", page_token: "p2", results: PAGE_1 } };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    useUiStore.setState({ language: "ko" });
  });

  it("lists every page's fills by day with names, seconds, costs and what each realised", async () => {
    renderWithProviders(<TradeJournalCard account={account} today="2026-12-03" range={{ from: "2026-11-26", to: "2026-12-03" }} onRange={() => undefined} />);
    const journal = await screen.findByTestId("journal");
    expect(backend.calls.filter((c) => c.path === "/api/v1/accounts/7/activities")).toHaveLength(2);
    const days = journal.querySelectorAll("tbody.journal-day");
    expect([...days].map((d) => d.getAttribute("data-day"))).toEqual(["2026-12-03", "2026-12-02"]);
    const sale = journal.querySelector<HTMLElement>('tr[data-trade="2"]')!;
    expect(within(sale).getByTestId("journal-name")).toHaveTextContent("삼성전자");
    expect(within(sale).getByTestId("journal-time")).toHaveTextContent("14:03:27");
    expect(within(sale).getByTestId("journal-realized")).toHaveTextContent("+7,381");
    expect(sale).toHaveTextContent("576");
    expect(within(days[0] as HTMLElement).getByText("2026.12.03 (목)")).toBeInTheDocument();
    expect(screen.getByTestId("journal-totals")).toHaveAttribute("data-realized", String(7_381 - 105));
  });

  it("sets the period with the quick buttons", async () => {
    const onRange = vi.fn();
    renderWithProviders(<TradeJournalCard account={account} today="2026-12-03" range={{ from: "2026-12-03", to: "2026-12-03" }} onRange={onRange} />);
    const journal = await screen.findByTestId("journal");
    // Only today's sale is in the period.
    expect(journal.querySelectorAll("tr.journal-fill")).toHaveLength(1);
    expect(screen.getByRole("button", { name: "오늘" })).toHaveAttribute("aria-pressed", "true");
    await userEvent.click(screen.getByRole("button", { name: "1개월" }));
    expect(onRange).toHaveBeenCalledWith({ from: "2026-11-03", to: "2026-12-03" });
  });

  it("paints the calendar's days red for a gain and blue for a loss, and picks a day", async () => {
    const onPickDay = vi.fn();
    renderWithProviders(<RealizedPnlCard accountId={7} today="2026-12-03" onPickDay={onPickDay} />);
    const calendar = await screen.findByTestId("realized-calendar");
    await waitFor(() => expect(calendar.querySelector('td[data-day="2026-12-03"]')).toHaveAttribute("data-realized", "7381"));
    const gain = calendar.querySelector<HTMLElement>('td[data-day="2026-12-03"]')!;
    const loss = calendar.querySelector<HTMLElement>('td[data-day="2026-12-02"]')!;
    expect(gain).toHaveClass("gain", "today");
    expect(within(gain).getByText("+7,381")).toHaveClass("dir-up");
    expect(loss).toHaveClass("loss");
    expect(within(loss).getByText("-105")).toHaveClass("dir-down");
    expect(calendar.querySelector('td[data-day="2026-12-01"]')).toHaveAttribute("data-fills", "0");
    expect(screen.getByTestId("calendar-month-total")).toHaveAttribute("data-value", String(7_381 - 105));
    expect(screen.getByTestId("realized-months").querySelector('tr[data-month="2026-12"]')).toHaveAttribute("data-realized", "7276");
    await userEvent.click(within(gain).getByRole("button"));
    expect(onPickDay).toHaveBeenCalledWith("2026-12-03");
  });

  it("speaks English on the app's switch", async () => {
    useUiStore.setState({ language: "en" });
    renderWithProviders(<RealizedPnlCard accountId={7} today="2026-12-03" onPickDay={() => undefined} />);
    expect(await screen.findByRole("heading", { name: "December 2026" })).toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: "Sun" })).toBeInTheDocument();
  });
});
