import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useUiStore } from "@/stores/ui";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Account, Fill } from "@/types/models";

import { RealizedPnlCard } from "./RealizedPnl";
import { TradeJournalCard } from "./TradeJournal";

const fill = (id: number, time: string, side: "buy" | "sell", quantity: number, price: number, commission: number, tax: number, realized: number): Fill => ({
  id,
  order: 100 + id,
  account: 7,
  symbol: "005930",
  symbol_name: "삼성전자",
  side,
  quantity,
  price,
  commission,
  tax,
  realized_pnl: realized,
  time,
});

// Newest first, as GET trades lists them, in two pages; realized_pnl as the server's ledger booked it:
//  12-02 10:00:00  buy 10 @ 70,000, fee 105                 realised −105
//  12-03 14:03:27  sell 4 @ 72,000, fee 43, tax 576: released 700,000 × 4 ÷ 10 = 280,000
//                  288,000 − 280,000 − 43 − 576              realised 7,381
const SALE = fill(2, "2026-12-03T14:03:27+09:00", "sell", 4, 72_000, 43, 576, 7_381);
const BUY = fill(1, "2026-12-02T10:00:00+09:00", "buy", 10, 70_000, 105, 0, -105);

const account = { id: 7, name: "기본 계좌" } as Account;

/** What a window of GET trades holds: the fills with after < time ≤ until. */
function inWindow(url: URL, fills: Fill[]): Fill[] {
  const after = url.searchParams.get("after");
  const until = url.searchParams.get("until");
  return fills.filter((f) => (!after || Date.parse(f.time) > Date.parse(after)) && (!until || Date.parse(f.time) <= Date.parse(until)));
}

describe("매매일지 and 실현손익 over GET trades", () => {
  let backend: ReturnType<typeof fakeBackend>;
  let asked: URL[];

  beforeEach(() => {
    asked = [];
    backend = fakeBackend({
      "GET /api/v1/trades": ({ url }) => {
        asked.push(url);
        expect(url.searchParams.get("account")).toBe("7");
        expect(url.searchParams.get("page_size")).toBe("500");
        const found = inWindow(url, [SALE, BUY]);
        // one fill a page, so that the journal reads every page
        const page = Number(url.searchParams.get("page"));
        return { body: { count: found.length, next: page < found.length ? `http://x/?page=${page + 1}` : null, previous: null, results: found.slice(page - 1, page) } };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    useUiStore.setState({ language: "ko" });
  });

  it("reads only the period's fills, every page, with names, seconds, costs and what each realised", async () => {
    renderWithProviders(<TradeJournalCard account={account} today="2026-12-03" range={{ from: "2026-11-26", to: "2026-12-03" }} onRange={() => undefined} />);
    const journal = await screen.findByTestId("journal");
    expect(asked).toHaveLength(2);
    for (const url of asked) {
      expect(url.searchParams.get("after")).toBe("2026-11-25T23:59:59.999999+09:00");
      expect(url.searchParams.get("until")).toBe("2026-12-03T23:59:59.999999+09:00");
    }
    expect(asked.map((url) => url.searchParams.get("page"))).toEqual(["1", "2"]);
    expect(backend.calls.some((c) => c.path.endsWith("/activities"))).toBe(false); // no replay of the history
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

  it("shows what a sale realised when the buy is before the period: the server's figure", async () => {
    renderWithProviders(<TradeJournalCard account={account} today="2026-12-03" range={{ from: "2026-12-03", to: "2026-12-03" }} onRange={() => undefined} />);
    const journal = await screen.findByTestId("journal");
    expect(asked.map((url) => [url.searchParams.get("after"), url.searchParams.get("until")])).toEqual([["2026-12-02T23:59:59.999999+09:00", "2026-12-03T23:59:59.999999+09:00"]]);
    expect([...journal.querySelectorAll("tr.journal-fill")].map((row) => row.getAttribute("data-realized"))).toEqual(["7381"]);
    expect(screen.getByTestId("journal-totals")).toHaveAttribute("data-realized", "7381");
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
    // Every month is in the table: the whole history, without a window.
    await waitFor(() => expect(asked).toHaveLength(2));
    expect(asked.every((url) => !url.searchParams.has("after") && !url.searchParams.has("until"))).toBe(true);
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
