import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { anOrder } from "@/test/fixtures";
import type { Order, OrderBook } from "@/types/models";

import { OrderBookView, ownLevels } from "./OrderBookView";

const book: OrderBook = {
  code: "005930",
  asks: [
    { price: 50_000, quantity: 900 },
    { price: 50_100, quantity: 400 },
  ],
  bids: [
    { price: 49_950, quantity: 700 },
    { price: 49_900, quantity: 300 },
  ],
  time: "2026-11-25T10:00:00+09:00",
};

const order = (id: number, over: Partial<Order>): Order => anOrder({ id, price: 49_900, ...over });

describe("OrderBookView: the user's own orders", () => {
  const mine = [
    order(1, { quantity: 20 }),
    order(2, { quantity: 15, filled_quantity: 5, status: "partially_filled" }),
    order(3, { side: "sell", price: 50_100, quantity: 7 }),
    // an after-hours order rests on its own board, not in this book's queue
    order(4, { session: "close_price", price: 49_950, quantity: 50 }),
  ];

  it("adds up the open quantity per price and side, regular board only", () => {
    const levels = ownLevels(mine);
    expect(levels.bid.get(49_900)).toEqual({ quantity: 30, orders: [mine[0], mine[1]] });
    expect(levels.ask.get(50_100)?.quantity).toBe(7);
    expect(levels.bid.has(49_950)).toBe(false);
  });

  it("marks each level with 내 주문 N and hands its orders to the click", async () => {
    const user = userEvent.setup();
    const onOwnOrders = vi.fn();
    const onPrice = vi.fn();
    render(<OrderBookView book={book} ownOrders={mine} onOwnOrders={onOwnOrders} onPrice={onPrice} />);
    const bidRow = screen.getByTestId("orderbook").querySelector('tr[data-side="bid"][data-price="49900"]') as HTMLElement;
    const marker = within(bidRow).getByTestId("own-order");
    expect(marker).toHaveTextContent("내 주문 30");
    expect(bidRow).toHaveClass("mine");
    expect(screen.getAllByTestId("own-order")).toHaveLength(2);
    await user.click(marker);
    expect(onOwnOrders).toHaveBeenCalledWith([mine[0], mine[1]]);
    expect(onPrice).not.toHaveBeenCalled(); // the marker is not the price button
  });
});
