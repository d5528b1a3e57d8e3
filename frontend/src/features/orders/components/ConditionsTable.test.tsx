import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { anOrder } from "@/test/fixtures";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Condition } from "@/types/models";

import { ConditionsTable } from "./ConditionsTable";

const condition = (over: Partial<Condition>): Condition => ({
  id: 0,
  account: 7,
  symbol: "005930",
  symbol_name: "삼성전자",
  side: "sell",
  quantity: 10,
  trigger: "stop",
  trigger_price: 65_000,
  trail_amount: null,
  trail_percent: null,
  extreme: null,
  order_type: "market",
  limit_price: null,
  oco_group: "",
  parent_order: null,
  status: "active",
  message: "",
  order: null,
  created_at: "2026-11-25T10:00:00+09:00",
  triggered_at: null,
  ...over,
});

const FAILED = "발동 시점에 매도 가능한 005930 주식이 없습니다.";

describe("ConditionsTable (감시주문)", () => {
  let backend: ReturnType<typeof fakeBackend>;
  let rows: Condition[];

  beforeEach(() => {
    document.cookie = "csrftoken=test-token";
    rows = [
      condition({ id: 42, trigger: "stop", trigger_price: 65_000, oco_group: "g1", parent_order: 90, status: "waiting" }),
      condition({ id: 41, trigger: "take_profit", trigger_price: 75_000, oco_group: "g1", parent_order: 90, status: "waiting" }),
      condition({ id: 30, trigger: "trailing", trigger_price: null, trail_percent: "3.00", extreme: 72_000, status: "failed", message: FAILED }),
      condition({ id: 20, trigger: "stop", side: "buy", trigger_price: 71_000, status: "triggered", order: 95 }),
    ];
    backend = fakeBackend({
      "GET /api/v1/conditions": () => ({ body: { count: rows.length, next: null, previous: null, results: rows } }),
      "GET /api/v1/orders": () => ({
        body: [anOrder({ id: 90, price: 69_000 }), anOrder({ id: 95, type: "market", price: null, status: "filled", filled_quantity: 10, avg_fill_price: "71000.0000", condition: 20 })],
      }),
      "POST /api/v1/conditions/41/cancel": () => {
        rows = rows.map((c) => (c.id === 41 ? { ...c, status: "cancelled" } : c));
        return { body: rows.find((c) => c.id === 41) };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("lists trigger, status (why a trigger failed, the entry a leg waits for) and the order placed", async () => {
    renderWithProviders(<ConditionsTable accountId={7} />);
    const table = await screen.findByTestId("conditions");
    const row = (id: number) => table.querySelector<HTMLElement>(`tr[data-condition-id="${id}"]`)!;
    expect(within(row(42)).getByTestId("condition-trigger")).toHaveTextContent("65,000원 이하");
    expect(row(42)).toHaveTextContent("대기");
    await waitFor(() => expect(row(42)).toHaveTextContent("진입 주문 #90 0/10주"));
    expect(within(row(41)).getByTestId("condition-trigger")).toHaveTextContent("75,000원 이상");
    expect(row(41)).toHaveTextContent("OCO");
    expect(within(row(30)).getByTestId("condition-trigger")).toHaveTextContent("최고가 −3% (고가 72,000)");
    expect(within(row(30)).getByTestId("condition-message")).toHaveTextContent(FAILED);
    expect(row(30)).toHaveTextContent("발동 실패");
    expect(within(row(20)).getByTestId("condition-order")).toHaveTextContent("#95 체결 10주 @ 71,000");
    // only those still waiting or watching can be cancelled
    expect(within(row(42)).getByRole("button", { name: "취소" })).toBeInTheDocument();
    expect(within(row(30)).queryByRole("button", { name: "취소" })).toBeNull();
    expect(within(row(20)).queryByRole("button", { name: "취소" })).toBeNull();
  });

  it("cancels one leg after a confirmation that says the other keeps watching", async () => {
    const user = userEvent.setup();
    renderWithProviders(<ConditionsTable accountId={7} />);
    const table = await screen.findByTestId("conditions");
    const leg = table.querySelector<HTMLElement>('tr[data-condition-id="41"]')!;
    await user.click(within(leg).getByRole("button", { name: "취소" }));
    const dialog = screen.getByRole("dialog", { name: "감시주문 취소" });
    expect(within(dialog).getByTestId("condition-cancel-terms")).toHaveTextContent("현재가가 75,000원 이상이 되면 10주를 시장가로 매도합니다.");
    expect(within(dialog).getByTestId("condition-sibling-kept")).toHaveTextContent("#42 스톱(손절)");
    expect(backend.calls.some((c) => c.method === "POST")).toBe(false);
    await user.click(within(dialog).getByRole("button", { name: "취소 확인" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/api/v1/conditions/41/cancel"]);
    await waitFor(() => expect(table.querySelector('tr[data-condition-id="41"]')).toHaveAttribute("data-status", "cancelled"));
    expect(within(table.querySelector<HTMLElement>('tr[data-condition-id="41"]')!).queryByRole("button", { name: "취소" })).toBeNull();
  });
});
