import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Quote } from "@/types/models";

import { OrderTicket } from "./OrderTicket";

const account = { id: 7, name: "기본", cash: 10_000_000, reserved_cash: 0, available_cash: 10_000_000, orderable_cash: 10_000_000 };
const quote = { code: "005930", name: "삼성전자", price: 70_000, best_bid: 69_900, best_ask: 70_000 } as Quote;
const symbol = { code: "005930", name: "삼성전자", market: "KOSPI" as const, price_limits: { lower: 49_000, upper: 91_000 } };

describe("OrderTicket: 일반주문 / 감시주문", () => {
  beforeEach(() => {
    vi.stubGlobal(
      "fetch",
      fakeBackend({
        "GET /api/v1/accounts": () => ({ body: [account] }),
        "GET /api/v1/positions": () => ({ body: [] }),
        "GET /api/v1/orders/costs": () => ({ body: { commission_rate: "0.00015", sell_tax_rate: "0.0020", market_tax_rates: {} } }),
      }).fetch,
    );
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** The symbol page's part: a 호가창 price pick and the trade bar's 매도. */
  function Page() {
    const [picked, setPicked] = useState<{ price: number; at: number } | null>(null);
    const [sideRequest, setSideRequest] = useState<{ side: "buy" | "sell"; at: number } | null>(null);
    return (
      <>
        <button type="button" onClick={() => setPicked({ price: 68_500, at: Date.now() })}>
          pick 68,500
        </button>
        <button type="button" onClick={() => setSideRequest({ side: "sell", at: Date.now() })}>
          trade bar sell
        </button>
        <OrderTicket symbol={symbol} quote={quote} pickedPrice={picked} sideRequest={sideRequest} />
      </>
    );
  }

  it("keeps each ticket as typed across the tabs; a picked price goes to the one shown; the trade bar opens 일반주문", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Page />);
    const orderPanel = screen.getByTestId("order-panel");
    const conditionPanel = screen.getByTestId("condition-panel");
    expect(conditionPanel).not.toBeVisible();
    const quantity = screen.getByRole("textbox", { name: "수량" });
    await user.clear(quantity);
    await user.type(quantity, "7");
    await waitFor(() => expect(screen.getByRole("textbox", { name: "가격" })).toHaveValue("70,000"));

    await user.click(screen.getByRole("tab", { name: "감시주문" }));
    expect(orderPanel).not.toBeVisible();
    expect(conditionPanel).toBeVisible();
    await waitFor(() => expect(screen.getByRole("textbox", { name: "감시 가격" })).toHaveValue("67,900"));
    await user.click(screen.getByRole("button", { name: "pick 68,500" }));
    expect(screen.getByRole("textbox", { name: "감시 가격" })).toHaveValue("68,500");

    await user.click(screen.getByRole("tab", { name: "일반주문" }));
    expect(screen.getByRole("textbox", { name: "수량" })).toHaveValue("7");
    expect(screen.getByRole("textbox", { name: "가격" })).toHaveValue("70,000");

    await user.click(screen.getByRole("tab", { name: "감시주문" }));
    await user.click(screen.getByRole("button", { name: "trade bar sell" }));
    expect(screen.getByRole("tab", { name: "일반주문" })).toHaveAttribute("aria-selected", "true");
    expect(orderPanel).toBeVisible();
    expect(screen.getByRole("button", { name: "매도" })).toHaveAttribute("aria-pressed", "true");
  });
});
