import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Quote } from "@/types/models";

import { OrderPanel } from "./OrderPanel";

const account = {
  id: 7,
  name: "기본",
  initial_cash: 10_000_000,
  cash: 10_000_000,
  reserved_cash: 0,
  available_cash: 10_000_000,
  market_value: 0,
  equity: 10_000_000,
  realized_pnl: 0,
  unrealized_pnl: 0,
  total_pnl: 0,
  return_rate: 0,
  created_at: "2026-11-25T09:00:00+09:00",
  reset_at: null,
};
const quote: Quote = {
  code: "005930",
  name: "삼성전자",
  price: 49_900,
  open: 49_000,
  high: 50_000,
  low: 48_800,
  prev_close: 49_000,
  change: 900,
  change_rate: 1.84,
  volume: 1000,
  value: 0,
  best_bid: 49_900,
  best_ask: 49_950,
  time: "2026-11-25T10:00:00+09:00",
  phase: "continuous",
  session: null,
  expected_price: null,
  expected_quantity: null,
  vi: null,
  upper_limit: null,
  lower_limit: null,
};
const symbol = { code: "005930", name: "삼성전자", market: "KOSPI" as const, price_limits: { lower: 34_300, upper: 63_700 } };

describe("OrderPanel", () => {
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    document.cookie = "csrftoken=test-token";
    backend = fakeBackend({
      "GET /api/v1/accounts": () => ({ body: { count: 1, next: null, previous: null, results: [account] } }),
      "GET /api/v1/positions": () => ({ body: [{ account: 7, symbol: "005930", symbol_name: "삼성전자", quantity: 40, reserved_quantity: 12, avg_cost: "48000" }] }),
      "GET /api/v1/orders/costs": () => ({
        body: { commission_rate: "0.00015", sell_tax_rate: "0.0020", market_tax_rates: { KOSPI: "0.0020", KOSDAQ: "0.0020", KONEX: "0.0010" } },
      }),
      "POST /api/v1/orders": ({ body }) => {
        const input = body as { quantity: number };
        if (input.quantity > 100) {
          return { status: 400, body: { error: { code: "invalid", message: "Invalid input.", fields: { quantity: ["Not enough cash for 101 shares."] } } } };
        }
        if (input.quantity === 7) {
          // What the exchange says of an order while its session is closed (market.venue).
          const reason = "지금은 정규장 주문을 받지 않습니다. 다음 정규장은 12월 8일(화) 09:00부터 주문을 받습니다.";
          return { status: 201, body: { id: 100, ...input, status: "rejected", filled_quantity: 0, reject_reason: reason } };
        }
        if (input.quantity === 5) return { status: 201, body: { id: 101, ...input, status: "filled", filled_quantity: 5, reject_reason: "" } };
        return { status: 201, body: { id: 99, ...input, status: "new", filled_quantity: 0, reject_reason: "" } };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("starts at the best ask and steps the price by the KRX tick across the 50,000 boundary", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderPanel symbol={symbol} quote={quote} />);
    const price = screen.getByRole("textbox", { name: "가격" }) as HTMLInputElement;
    expect(price.value).toBe("49,950");
    expect(screen.getByTestId("tick-size")).toHaveTextContent("50");
    await user.click(screen.getByRole("button", { name: "한 호가 올리기" }));
    expect(price.value).toBe("50,000");
    await user.click(screen.getByRole("button", { name: "한 호가 올리기" }));
    expect(price.value).toBe("50,100");
    expect(screen.getByTestId("tick-size")).toHaveTextContent("100");
    await user.click(screen.getByRole("button", { name: "한 호가 내리기" }));
    await user.click(screen.getByRole("button", { name: "한 호가 내리기" }));
    expect(price.value).toBe("49,950");
  });

  it("estimates cost with commission (buy) and commission + tax (sell)", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderPanel symbol={symbol} quote={quote} />);
    const quantity = screen.getByRole("textbox", { name: "수량" });
    await user.clear(quantity);
    await user.type(quantity, "10");
    // 49,950 x 10 = 499,500; commission floor(74.925) = 74
    await waitFor(() => expect(screen.getByTestId("order-total")).toHaveTextContent("499,574"));
    await user.click(screen.getByRole("button", { name: "매도" }));
    // switching side starts a fresh ticket: one share at the best bid
    expect(quantity).toHaveValue("1");
    await waitFor(() => expect(screen.getByRole("textbox", { name: "가격" })).toHaveValue("49,900"));
    await user.clear(quantity);
    await user.type(quantity, "10");
    // 49,900 x 10 = 499,000 - floor(74.85) - floor(998) = 497,928
    await waitFor(() => expect(screen.getByTestId("order-total")).toHaveTextContent("497,928"));
  });

  it("sizes the order from 주문가능금액 and 매도가능 with the % buttons", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderPanel symbol={symbol} quote={quote} />);
    // 10,000,000 / (49,950 x 1.00015) = 200.17 → 200 shares (200 x 49,950 + 1,498 = 9,991,498)
    await waitFor(() => expect(screen.getByTestId("max-quantity")).toHaveTextContent("200"));
    expect(screen.getByTestId("orderable-cash")).toHaveTextContent("10,000,000");
    await user.click(screen.getByRole("button", { name: "25%" }));
    expect(screen.getByRole("textbox", { name: "수량" })).toHaveValue("50");
    await user.click(screen.getByRole("button", { name: "매도" }));
    // 40 held, 12 held back by open sells → 28 sellable; 50% → 14
    await waitFor(() => expect(screen.getByTestId("holding")).toHaveTextContent("40 / 28"));
    await user.click(screen.getByRole("button", { name: "50%" }));
    expect(screen.getByRole("textbox", { name: "수량" })).toHaveValue("14");
  });

  it("refuses a price above the upper limit and shows the band instead of clamping it", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderPanel symbol={symbol} quote={quote} />);
    const price = screen.getByRole("textbox", { name: "가격" });
    await user.tripleClick(price);
    await user.keyboard("70000");
    await user.tab();
    expect(price).toHaveValue("70,000");
    expect(screen.getByTestId("band-error")).toHaveTextContent("상한가");
    expect(screen.getByTestId("band-error")).toHaveTextContent("34,300 ~ 63,700");
    expect(screen.getByRole("button", { name: /주문하기/ })).toBeDisabled();
  });

  /** The ticket, ready; `place(n)` submits it for n shares (the limit price it starts at). */
  async function ticket() {
    const user = userEvent.setup();
    renderWithProviders(<OrderPanel symbol={symbol} quote={quote} />);
    const submit = await screen.findByRole("button", { name: /주문하기/ });
    await waitFor(() => expect(submit).toBeEnabled());
    const quantity = screen.getByRole("textbox", { name: "수량" });
    const place = async (shares: number) => {
      await user.clear(quantity);
      await user.type(quantity, String(shares));
      await user.click(submit);
    };
    return { quantity, place };
  }

  it("posts the order with the CSRF header and shows server validation errors next to the field", async () => {
    const { quantity, place } = await ticket();
    await place(101);
    const error = await screen.findByText("Not enough cash for 101 shares.");
    expect(error).toHaveAttribute("data-field", "quantity");
    expect(quantity.closest("label")).toContainElement(error);

    await place(3);
    expect(await screen.findByTestId("order-placed")).toHaveAttribute("data-order-id", "99");
    const post = backend.calls.filter((c) => c.method === "POST").at(-1);
    expect(post?.headers.get("X-CSRFToken")).toBe("test-token");
    expect(post?.body).toMatchObject({ account: 7, symbol: "005930", side: "buy", type: "limit", quantity: 3, price: 49_950, time_in_force: "DAY" });
  });

  it("says so, with the exchange's reason, when the order is refused on arrival, and when it filled at once", async () => {
    const { place } = await ticket();
    await place(7);
    const refused = await screen.findByRole("alert");
    expect(refused).toHaveAttribute("data-order-id", "100");
    expect(refused).toHaveTextContent("주문이 거부되었습니다 (#100): 지금은 정규장 주문을 받지 않습니다. 다음 정규장은 12월 8일(화) 09:00부터");
    expect(screen.queryByTestId("order-placed")).toBeNull();

    await place(5);
    expect(await screen.findByTestId("order-placed")).toHaveTextContent("주문이 체결되었습니다 (#101)");
    expect(screen.queryByTestId("order-refused")).toBeNull();
  });
});
