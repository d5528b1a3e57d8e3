import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Quote } from "@/types/models";

import { ConditionPanel } from "./ConditionPanel";

const account = { id: 7, name: "기본", cash: 10_000_000, reserved_cash: 0, available_cash: 10_000_000, orderable_cash: 10_000_000 };
const quote = { code: "005930", name: "삼성전자", price: 70_000, best_bid: 69_900, best_ask: 70_000 } as Quote;
const symbol = { code: "005930", name: "삼성전자", market: "KOSPI" as const, price_limits: { lower: 49_000, upper: 91_000 } };
const leg = (id: number, trigger: string, price: number) => ({ id, trigger, trigger_price: price, status: "waiting", side: "sell", quantity: 10 });
const NOT_ENOUGH = "005930을(를) 0주 보유 중입니다: 매도 감시 수량은 보유 수량 이하여야 합니다.";

describe("ConditionPanel (감시주문)", () => {
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    document.cookie = "csrftoken=test-token";
    backend = fakeBackend({
      "GET /api/v1/accounts": () => ({ body: { count: 1, next: null, previous: null, results: [account] } }),
      "GET /api/v1/positions": () => ({ body: [] }),
      "POST /api/v1/conditions/bracket": () => ({
        status: 201,
        body: { entry_order: { id: 90, status: "new" }, conditions: [leg(41, "take_profit", 75_000), leg(42, "stop", 65_000)] },
      }),
      "POST /api/v1/conditions": () => ({ status: 422, body: { error: { code: "invalid", message: NOT_ENOUGH, fields: { quantity: [NOT_ENOUGH] } } } }),
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  async function typePrice(user: ReturnType<typeof userEvent.setup>, name: string, value: string) {
    const input = screen.getByRole("textbox", { name });
    await user.tripleClick(input);
    await user.keyboard(value);
    await user.tab();
  }

  it("places a bracket on an entry limit buy after saying what it will do", async () => {
    const user = userEvent.setup();
    renderWithProviders(<ConditionPanel symbol={symbol} quote={quote} />);
    await user.click(screen.getByRole("button", { name: "브래킷" }));
    // started around the last price on the tick grid: +5% / −3%
    expect(screen.getByRole("textbox", { name: "이익실현 가격" })).toHaveValue("73,500");
    expect(screen.getByRole("textbox", { name: "손절 가격" })).toHaveValue("67,900");
    await user.click(screen.getByRole("button", { name: "지정가 매수" }));
    await typePrice(user, "진입 가격", "69000");
    await typePrice(user, "이익실현 가격", "75000");
    await typePrice(user, "손절 가격", "65000");
    const quantity = screen.getByRole("textbox", { name: "수량" });
    await user.clear(quantity);
    await user.type(quantity, "10");
    expect(screen.getByTestId("condition-preview")).toHaveTextContent("먼저 10주를 69,000원 지정가로 매수합니다.");

    await user.click(screen.getByRole("button", { name: /다음/ }));
    const dialog = await screen.findByRole("dialog", { name: "감시주문 확인" });
    const sentences = within(dialog).getByTestId("condition-sentences");
    expect(sentences).toHaveTextContent("이익실현: 현재가가 75,000원 이상이 되면 체결된 주식을 시장가로 매도합니다.");
    expect(sentences).toHaveTextContent("손절: 현재가가 65,000원 이하가 되면 체결된 주식을 시장가로 매도합니다.");
    expect(sentences).toHaveTextContent("둘 중 하나가 발동되면 다른 하나는 자동으로 취소됩니다.");
    await user.click(within(dialog).getByRole("button", { name: "감시주문 접수" }));

    expect(await screen.findByTestId("condition-placed")).toHaveAttribute("data-condition-ids", "41,42");
    expect(screen.queryByRole("dialog")).toBeNull();
    const post = backend.calls.find((c) => c.method === "POST");
    expect(post?.path).toBe("/api/v1/conditions/bracket");
    expect(post?.headers.get("X-CSRFToken")).toBe("test-token");
    expect(post?.body).toEqual({ account: 7, symbol: "005930", quantity: 10, take_profit: 75_000, stop_loss: 65_000, entry: { type: "limit", price: 69_000 } });
  });

  it("shows the server's refusal of a trailing stop on shares not held in the confirmation", async () => {
    const user = userEvent.setup();
    renderWithProviders(<ConditionPanel symbol={symbol} quote={quote} />);
    await user.click(screen.getByRole("button", { name: "트레일링" }));
    await waitFor(() => expect(screen.getByTestId("condition-holding")).toHaveTextContent("0주"));
    expect(screen.getByTestId("condition-over-holding")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "추적 폭 (%)" })).toHaveValue("3");
    await user.click(screen.getByRole("button", { name: /다음/ }));
    const dialog = await screen.findByRole("dialog", { name: "감시주문 확인" });
    expect(within(dialog).getByTestId("condition-sentences")).toHaveTextContent("최고가보다 3% 이상 내려가면 1주를 시장가로 매도합니다.");
    expect(within(dialog).getByTestId("condition-sentences")).toHaveTextContent("67,900원 이하가 되면 발동");
    await user.click(within(dialog).getByRole("button", { name: "감시주문 접수" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(NOT_ENOUGH);
    expect(backend.calls.find((c) => c.method === "POST")?.body).toEqual({
      account: 7,
      symbol: "005930",
      side: "sell",
      quantity: 1,
      trigger: "trailing",
      trail_percent: 3,
      order_type: "market",
    });
    // back to the form: the dialog closes, nothing was placed
    await user.click(within(dialog).getByRole("button", { name: "뒤로" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.queryByTestId("condition-placed")).toBeNull();
  });

  it("will not go on with a stop the last price already meets, nor one off the tick grid", async () => {
    const user = userEvent.setup();
    renderWithProviders(<ConditionPanel symbol={symbol} quote={quote} />);
    await waitFor(() => expect(screen.getByRole("textbox", { name: "감시 가격" })).toHaveValue("67,900"));
    expect(await screen.findByTestId("condition-preview")).toHaveTextContent("현재가가 67,900원 이하가 되면 1주를 시장가로 매도합니다.");
    await typePrice(user, "감시 가격", "70500");
    expect(screen.getByTestId("condition-problem")).toHaveAttribute("data-problem", "alreadyMet");
    expect(screen.getByRole("button", { name: /다음/ })).toBeDisabled();
    // a typed price snaps to the grid on blur; the stepper moves a tick
    await typePrice(user, "감시 가격", "68050");
    expect(screen.getByRole("textbox", { name: "감시 가격" })).toHaveValue("68,100");
    await user.click(screen.getByRole("button", { name: "감시 가격 -tick" }));
    expect(screen.getByRole("textbox", { name: "감시 가격" })).toHaveValue("68,000");
    expect(screen.getByTestId("condition-preview")).toHaveTextContent("현재가가 68,000원 이하가 되면 1주를 시장가로 매도합니다.");
    await waitFor(() => expect(screen.getByRole("button", { name: /다음/ })).toBeEnabled());
  });
});
