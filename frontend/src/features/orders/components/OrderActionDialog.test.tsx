import { QueryClientProvider } from "@tanstack/react-query";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useToasts } from "@/stores/toasts";
import { anOrder as order } from "@/test/fixtures";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Order } from "@/types/models";

import { OrderActionDialog } from "./OrderActionDialog";
import { OpenOrdersTable } from "./PortfolioTables";

const REFUSED = "49,000원은 005930의 오늘 가격제한폭(34,300원~63,700원)을 벗어납니다.";

describe("OrderActionDialog", () => {
  let backend: ReturnType<typeof fakeBackend>;
  let modifyAnswer: { status: number; body: unknown } | null;

  beforeEach(() => {
    document.cookie = "csrftoken=test-token";
    modifyAnswer = null;
    useToasts.setState({ toasts: [] });
    backend = fakeBackend({
      "GET /api/v1/orders/12": () => ({ body: order({ queue_ahead: 1_200 }) }),
      "POST /api/v1/orders/12/modify": ({ body }) => modifyAnswer ?? { body: order(body as Partial<Order>) },
      "POST /api/v1/orders/12/cancel": () => ({ body: order({ status: "cancelled" }) }),
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const posts = () => backend.calls.filter((c) => c.method === "POST").map((c) => ({ path: c.path, body: c.body }));

  it("a new price one tick up crosses to 100-won ticks, warns that the order loses its place, and sends only the price", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    renderWithProviders(<OrderActionDialog orders={[order()]} onClose={onClose} />);
    const dialog = screen.getByRole("dialog", { name: "주문 정정" });
    await user.click(within(dialog).getByRole("button", { name: "한 호가 올리기" }));
    expect(within(dialog).getByRole("textbox", { name: "정정 가격" })).toHaveValue("50,000");
    await user.click(within(dialog).getByRole("button", { name: "다음" }));

    expect(screen.getByTestId("change-price")).toHaveTextContent("49,950 → 50,000");
    expect(screen.queryByTestId("change-quantity")).toBeNull();
    const warning = screen.getByTestId("priority-warning");
    expect(warning).toHaveTextContent("가격을 바꾸면 대기 순서가 뒤로 밀립니다.");
    // the place it gives up: the queue ahead of it now, from its own GET (lists leave it out)
    await waitFor(() => expect(screen.getByTestId("dialog-queue-ahead")).toHaveTextContent("1,200주"));
    expect(posts()).toEqual([]); // nothing is sent before the confirmation

    await user.click(screen.getByRole("button", { name: "정정 확인" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posts()).toEqual([{ path: "/api/v1/orders/12/modify", body: { price: 50_000 } }]);
    expect(useToasts.getState().toasts[0]?.text).toContain("정정 주문이 접수되었습니다");
  });

  it("a smaller quantity keeps the place in the queue and sends only the quantity", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderActionDialog orders={[order()]} onClose={() => undefined} />);
    const quantity = screen.getByRole("textbox", { name: "정정 수량 (미체결)" });
    await user.clear(quantity);
    await user.type(quantity, "4");
    await user.click(screen.getByRole("button", { name: "다음" }));
    expect(screen.getByTestId("change-quantity")).toHaveTextContent("10주 → 4주");
    expect(screen.getByTestId("priority-kept")).toHaveTextContent("수량을 줄이면 대기 순서는 그대로 유지됩니다.");
    expect(screen.queryByTestId("priority-warning")).toBeNull();
    await user.click(screen.getByRole("button", { name: "정정 확인" }));
    await waitFor(() => expect(posts()).toEqual([{ path: "/api/v1/orders/12/modify", body: { quantity: 4 } }]));
  });

  it("a larger quantity loses the place in the queue", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderActionDialog orders={[order()]} onClose={() => undefined} />);
    await user.click(screen.getByRole("button", { name: "1주 늘리기" }));
    await user.click(screen.getByRole("button", { name: "다음" }));
    expect(screen.getByTestId("priority-warning")).toHaveTextContent("수량을 늘리면 대기 순서가 뒤로 밀립니다.");
    expect(screen.getByTestId("priority-warning")).not.toHaveTextContent("가격을 바꾸면");
  });

  it("will not go on without a change or with a price off the tick grid", async () => {
    const user = userEvent.setup();
    renderWithProviders(<OrderActionDialog orders={[order()]} onClose={() => undefined} band={{ lower: 34_300, upper: 63_700 }} />);
    expect(screen.getByRole("button", { name: "다음" })).toBeDisabled();
    expect(screen.getByTestId("modify-problem")).toHaveAttribute("data-problem", "unchanged");
    const price = screen.getByRole("textbox", { name: "정정 가격" });
    await user.clear(price);
    await user.type(price, "50050");
    expect(screen.getByTestId("modify-problem")).toHaveTextContent("호가단위에 맞지 않는 가격입니다");
    expect(screen.getByRole("button", { name: "다음" })).toBeDisabled();
    await user.tab(); // leaving the field rounds it onto the grid
    expect(price).toHaveValue("50,100");
    expect(screen.getByRole("button", { name: "다음" })).toBeEnabled();
  });

  it("shows the server's Korean refusal and stays open", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    modifyAnswer = { status: 422, body: { error: { code: "invalid", message: REFUSED, fields: { price: [REFUSED] } } } };
    renderWithProviders(<OrderActionDialog orders={[order()]} onClose={onClose} />);
    const price = screen.getByRole("textbox", { name: "정정 가격" });
    await user.clear(price);
    await user.type(price, "49000");
    await user.click(screen.getByRole("button", { name: "다음" }));
    await user.click(screen.getByRole("button", { name: "정정 확인" }));
    expect(await screen.findByText(REFUSED)).toBeVisible();
    expect(onClose).not.toHaveBeenCalled();
    // back on the form the message sits next to the price
    await user.click(screen.getByRole("button", { name: "뒤로" }));
    expect(screen.getByRole("alert")).toHaveAttribute("data-field", "price");
  });

  it("a price proposed from the chart opens at the confirmation, which says the place is lost, and sends it on confirming", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    renderWithProviders(<OrderActionDialog orders={[order()]} proposedPrice={50_500} band={{ lower: 34_300, upper: 63_700 }} onClose={onClose} />);
    const dialog = screen.getByRole("dialog", { name: "주문 정정" });
    expect(within(dialog).getByTestId("change-price")).toHaveTextContent("49,950 → 50,500");
    expect(within(dialog).getByTestId("priority-warning")).toHaveTextContent("가격을 바꾸면 대기 순서가 뒤로 밀립니다.");
    expect(posts()).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "정정 확인" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posts()).toEqual([{ path: "/api/v1/orders/12/modify", body: { price: 50_500 } }]);
  });

  it("a proposed price outside the band is sent as it is and the server's refusal shown, never pulled into the band", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    const refused = "64,000원은 005930의 오늘 가격제한폭(34,300원~63,700원)을 벗어납니다.";
    modifyAnswer = { status: 422, body: { error: { code: "invalid", message: refused, fields: { price: [refused] } } } };
    renderWithProviders(<OrderActionDialog orders={[order()]} proposedPrice={64_000} band={{ lower: 34_300, upper: 63_700 }} onClose={onClose} />);
    expect(screen.getByTestId("change-price")).toHaveTextContent("49,950 → 64,000");
    await user.click(screen.getByRole("button", { name: "정정 확인" }));
    expect(await screen.findByText(refused)).toBeVisible();
    expect(posts()).toEqual([{ path: "/api/v1/orders/12/modify", body: { price: 64_000 } }]);
    expect(onClose).not.toHaveBeenCalled();
    // back on the form: the proposed price as it was, the server's message beside it and the band's
    await user.click(screen.getByRole("button", { name: "뒤로" }));
    expect(screen.getByRole("textbox", { name: "정정 가격" })).toHaveValue("64,000");
    expect(screen.getByRole("alert")).toHaveAttribute("data-field", "price");
    expect(screen.getByTestId("modify-problem")).toHaveAttribute("data-problem", "aboveUpper");
  });

  it("a proposed price equal to the order's opens the form, with nothing to confirm", () => {
    renderWithProviders(<OrderActionDialog orders={[order()]} proposedPrice={49_950} onClose={() => undefined} />);
    expect(screen.queryByTestId("order-action-confirm")).toBeNull();
    expect(screen.getByTestId("modify-problem")).toHaveAttribute("data-problem", "unchanged");
  });

  it("cancels part of the order with the shares to cancel, saying the rest keeps its place", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    renderWithProviders(<OrderActionDialog orders={[order()]} initialMode="cancel" onClose={onClose} />);
    expect(screen.getByRole("dialog", { name: "주문 취소" })).toBeVisible();
    await user.click(screen.getByRole("radio", { name: "일부 취소" }));
    const quantity = screen.getByRole("textbox", { name: "취소 수량" });
    await user.clear(quantity);
    await user.type(quantity, "11");
    expect(screen.getByTestId("cancel-problem")).toBeVisible();
    expect(screen.getByRole("button", { name: "다음" })).toBeDisabled();
    await user.clear(quantity);
    await user.type(quantity, "3");
    await user.click(screen.getByRole("button", { name: "다음" }));
    expect(screen.getByTestId("change-cancelled")).toHaveTextContent("3주");
    expect(screen.getByTestId("change-remaining")).toHaveTextContent("7주");
    expect(screen.getByTestId("cancel-note")).toHaveTextContent("남는 수량은 대기 순서를 그대로 유지합니다.");
    await user.click(screen.getByRole("button", { name: "취소 확인" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posts()).toEqual([{ path: "/api/v1/orders/12/cancel", body: { quantity: 3 } }]);
  });

  it("cancels all that is open with an empty body", async () => {
    const user = userEvent.setup();
    const partly = order({ status: "partially_filled", filled_quantity: 4 });
    renderWithProviders(<OrderActionDialog orders={[partly]} initialMode="cancel" onClose={() => undefined} />);
    expect(screen.getByRole("radio", { name: /전량 취소 \(6주\)/ })).toBeChecked();
    await user.click(screen.getByRole("button", { name: "다음" }));
    expect(screen.getByTestId("change-remaining")).toHaveTextContent("0주");
    expect(screen.getByTestId("cancel-note")).toHaveTextContent("미체결 수량을 모두 취소하면 주문이 끝납니다.");
    expect(screen.getByText("이미 체결된 수량은 그대로입니다.")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "취소 확인" }));
    await waitFor(() => expect(posts()).toEqual([{ path: "/api/v1/orders/12/cancel", body: {} }]));
  });

  it("picks one of several orders at a book level, and says so when the order is gone", async () => {
    const user = userEvent.setup();
    const second = order({ id: 13, quantity: 5, created_at: "2026-11-25T10:05:00+09:00" });
    const view = renderWithProviders(<OrderActionDialog orders={[order(), second]} onClose={() => undefined} />);
    await user.selectOptions(screen.getByRole("combobox", { name: "주문 선택" }), "13");
    expect(screen.getByRole("textbox", { name: "정정 수량 (미체결)" })).toHaveValue("5");
    // the order filled meanwhile: the live list no longer holds it
    view.rerender(
      <QueryClientProvider client={view.client}>
        <MemoryRouter>
          <OrderActionDialog orders={[order()]} onClose={() => undefined} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(screen.getByTestId("order-gone")).toBeVisible();
  });

  it("closes on the answer even when the order has already left the live list (over /ws/orders)", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (answer = resolve));
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith("/cancel")) await held;
      return backend.fetch(input, init);
    });
    const view = renderWithProviders(<OrderActionDialog orders={[order()]} initialMode="cancel" onClose={onClose} />);
    await user.click(screen.getByRole("button", { name: "다음" }));
    await user.click(screen.getByRole("button", { name: "취소 확인" }));
    // the stream's "cancelled" arrives first: the list no longer holds the order
    view.rerender(
      <QueryClientProvider client={view.client}>
        <MemoryRouter>
          <OrderActionDialog orders={[]} initialMode="cancel" onClose={onClose} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(screen.queryByTestId("order-gone")).toBeNull();
    expect(screen.getByRole("button", { name: "취소 확인" })).toBeDisabled();
    answer();
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it("Escape closes it without sending anything", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    renderWithProviders(<OrderActionDialog orders={[order()]} onClose={onClose} />);
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
    expect(posts()).toEqual([]);
  });
});

describe("OpenOrdersTable", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows 대기 앞 N주, opens 취소 from the row and refreshes the list after it", async () => {
    const user = userEvent.setup();
    let cancelled = false;
    const backend = fakeBackend({
      "GET /api/v1/orders": () => ({ body: { count: 1, next: null, previous: null, results: [order({ status: cancelled ? "cancelled" : "new" })] } }),
      "GET /api/v1/orders/12": () => ({ body: order({ queue_ahead: 1_200 }) }),
      "POST /api/v1/orders/12/cancel": () => {
        cancelled = true;
        return { body: order({ status: "cancelled" }) };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
    renderWithProviders(<OpenOrdersTable accountId={7} />);
    const row = await screen.findByRole("row", { name: /삼성전자/ });
    await waitFor(() => expect(within(row).getByTestId("queue-ahead")).toHaveTextContent("대기 앞 1,200주"));

    await user.click(within(row).getByRole("button", { name: "취소" }));
    const dialog = screen.getByRole("dialog", { name: "주문 취소" });
    await user.click(within(dialog).getByRole("button", { name: "다음" }));
    await user.click(within(dialog).getByRole("button", { name: "취소 확인" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    // invalidated: the list is fetched again and the order has left it
    await waitFor(() => expect(screen.queryByTestId("open-orders")).toBeNull());
    expect(backend.calls.filter((c) => c.method === "GET" && c.path === "/api/v1/orders").length).toBeGreaterThanOrEqual(2);
  });
});
