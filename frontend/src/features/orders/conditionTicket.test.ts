import { describe, expect, it } from "vitest";

import type { Condition } from "@/types/models";

import {
  type ConditionForm,
  conditionLevel,
  conditionProblem,
  describeRequest,
  describeTerms,
  parseTrailPercent,
  planCondition,
  startingPrices,
  triggerSummary,
} from "./conditionTicket";

const form = (over: Partial<ConditionForm> = {}): ConditionForm => ({
  kind: "stop",
  side: "sell",
  quantity: 10,
  triggerPrice: 68_000,
  trailUnit: "percent",
  trailAmount: null,
  trailPercent: "3",
  orderType: "market",
  limitPrice: null,
  takeProfit: 75_000,
  stopLoss: 65_000,
  entry: "none",
  entryPrice: null,
  ...over,
});
const context = { account: 7, symbol: "005930", last: 70_000, band: { lower: 49_000, upper: 91_000 } };

/** A listed condition (every field of ConditionOutput), with `over` applied. */
const aCondition = (over: Partial<Condition> = {}): Condition => ({
  id: 31,
  account: 7,
  symbol: "005930",
  symbol_name: "삼성전자",
  side: "sell",
  quantity: 10,
  trigger: "stop",
  trigger_price: 68_000,
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

describe("planCondition: the request each form sends", () => {
  it("a stop-loss sell: POST conditions with the trigger price, a market order on trigger", () => {
    const plan = planCondition(form(), context);
    expect(plan).toEqual({
      kind: "condition",
      request: { account: 7, symbol: "005930", side: "sell", quantity: 10, trigger: "stop", trigger_price: 68_000, order_type: "market" },
    });
    expect(describeRequest(plan!)).toEqual(["현재가가 68,000원 이하가 되면 10주를 시장가로 매도합니다."]);
  });

  it("a stop buy triggers on the way up (이상이), a take-profit sell too, with a limit order", () => {
    const stopBuy = planCondition(form({ side: "buy", triggerPrice: 72_000 }), context);
    expect(stopBuy?.request).toMatchObject({ side: "buy", trigger: "stop", trigger_price: 72_000 });
    expect(describeRequest(stopBuy!)).toEqual(["현재가가 72,000원 이상이 되면 10주를 시장가로 매수합니다."]);

    const takeProfit = planCondition(form({ kind: "take_profit", triggerPrice: 75_000, orderType: "limit", limitPrice: 74_900 }), context);
    expect(takeProfit?.request).toEqual({
      account: 7,
      symbol: "005930",
      side: "sell",
      quantity: 10,
      trigger: "take_profit",
      trigger_price: 75_000,
      order_type: "limit",
      limit_price: 74_900,
    });
    expect(describeRequest(takeProfit!)).toEqual(["현재가가 75,000원 이상이 되면 10주를 74,900원 지정가로 매도합니다."]);
  });

  it("a take-profit buy waits for the price to fall", () => {
    const plan = planCondition(form({ kind: "take_profit", side: "buy", triggerPrice: 65_000 }), context);
    expect(describeRequest(plan!)).toEqual(["현재가가 65,000원 이하가 되면 10주를 시장가로 매수합니다."]);
  });

  it("a trailing stop in percent sends trail_percent as a number and no trigger price", () => {
    const plan = planCondition(form({ kind: "trailing", triggerPrice: 68_000, trailPercent: "2.5" }), context);
    expect(plan).toEqual({
      kind: "condition",
      request: { account: 7, symbol: "005930", side: "sell", quantity: 10, trigger: "trailing", trail_percent: 2.5, order_type: "market" },
    });
    // 70,000 × 2.5% = 1,750 below the high: 68,250 now
    expect(describeRequest(plan!, { last: 70_000 })).toEqual([
      "현재가가 감시 시작 후 최고가보다 2.5% 이상 내려가면 10주를 시장가로 매도합니다.",
      "지금 현재가 70,000원 기준으로 68,250원 이하가 되면 발동되고, 최고가가 오르면 발동 가격도 따라 오릅니다.",
    ]);
  });

  it("a trailing stop in won sends trail_amount; a trailing buy mirrors it from the low", () => {
    const sell = planCondition(form({ kind: "trailing", trailUnit: "won", trailAmount: 1_000 }), context);
    expect(sell?.request).toMatchObject({ trigger: "trailing", trail_amount: 1_000 });
    expect(sell?.request).not.toHaveProperty("trail_percent");
    expect(describeRequest(sell!, { last: 70_000 })[0]).toBe("현재가가 감시 시작 후 최고가보다 1,000원 이상 내려가면 10주를 시장가로 매도합니다.");

    const buy = planCondition(form({ kind: "trailing", side: "buy", trailUnit: "won", trailAmount: 1_000 }), context);
    expect(describeRequest(buy!, { last: 70_000 })).toEqual([
      "현재가가 감시 시작 후 최저가보다 1,000원 이상 올라가면 10주를 시장가로 매수합니다.",
      "지금 현재가 70,000원 기준으로 71,000원 이상이 되면 발동되고, 최저가가 내리면 발동 가격도 따라 내립니다.",
    ]);
  });

  it("a bracket on shares held: POST conditions/bracket without an entry", () => {
    const plan = planCondition(form({ kind: "bracket" }), context);
    expect(plan).toEqual({ kind: "bracket", request: { account: 7, symbol: "005930", quantity: 10, take_profit: 75_000, stop_loss: 65_000 } });
    expect(describeRequest(plan!)).toEqual([
      "보유 중인 10주에 이익실현과 손절을 함께 겁니다.",
      "이익실현: 현재가가 75,000원 이상이 되면 10주를 시장가로 매도합니다.",
      "손절: 현재가가 65,000원 이하가 되면 10주를 시장가로 매도합니다.",
      "둘 중 하나가 발동되면 다른 하나는 자동으로 취소됩니다.",
    ]);
  });

  it("a bracket with an entry limit buy below the market: the legs wait for its fills", () => {
    const plan = planCondition(form({ kind: "bracket", entry: "limit", entryPrice: 69_000 }), context);
    expect(plan?.request).toEqual({
      account: 7,
      symbol: "005930",
      quantity: 10,
      take_profit: 75_000,
      stop_loss: 65_000,
      entry: { type: "limit", price: 69_000 },
    });
    expect(describeRequest(plan!)).toEqual([
      "먼저 10주를 69,000원 지정가로 매수합니다. 아래 두 조건은 매수가 체결될 때까지 대기하다가 체결된 수량만큼 감시합니다.",
      "이익실현: 현재가가 75,000원 이상이 되면 체결된 주식을 시장가로 매도합니다.",
      "손절: 현재가가 65,000원 이하가 되면 체결된 주식을 시장가로 매도합니다.",
      "둘 중 하나가 발동되면 다른 하나는 자동으로 취소됩니다.",
    ]);
    const market = planCondition(form({ kind: "bracket", entry: "market", entryPrice: 69_000 }), context);
    expect(market?.request).toMatchObject({ entry: { type: "market" } });
    expect(describeRequest(market!)[0]).toMatch(/^먼저 10주를 시장가로 매수합니다\./);
  });

  it("says it in English on switch", () => {
    expect(describeRequest(planCondition(form(), context)!, { language: "en" })).toEqual([
      "When the last price is at or below ₩68,000, sell 10 shares with a market order.",
    ]);
  });
});

describe("conditionProblem: why the form may not go on yet", () => {
  it("wants prices on the KRX tick grid (100 won from 50,000)", () => {
    expect(conditionProblem(form({ triggerPrice: 68_050 }), context)).toEqual({ code: "offTick", field: "trigger_price" });
    expect(conditionProblem(form({ triggerPrice: null }), context)).toEqual({ code: "price", field: "trigger_price" });
    expect(conditionProblem(form({ orderType: "limit", limitPrice: 67_990 }), context)).toEqual({ code: "offTick", field: "limit_price" });
    expect(conditionProblem(form({ kind: "bracket", stopLoss: 65_010 }), context)).toEqual({ code: "offTick", field: "stop_loss" });
    expect(planCondition(form({ triggerPrice: 68_050 }), context)).toBeNull();
  });

  it("refuses a condition the last price already meets, as the server would", () => {
    expect(conditionProblem(form({ triggerPrice: 70_000 }), context)).toEqual({ code: "alreadyMet", field: "trigger_price" });
    expect(conditionProblem(form({ side: "buy", triggerPrice: 69_900 }), context)?.code).toBe("alreadyMet");
    expect(conditionProblem(form({ kind: "take_profit", triggerPrice: 70_000 }), context)?.code).toBe("alreadyMet");
    expect(conditionProblem(form({ kind: "bracket", takeProfit: 70_000 }), context)).toEqual({ code: "alreadyMet", field: "take_profit" });
    expect(conditionProblem(form({ kind: "bracket", stopLoss: 70_000, takeProfit: 71_000 }), context)).toEqual({ code: "alreadyMet", field: "stop_loss" });
    // 0.01% of 1,000 won floors to a 0-won trail: met at once
    expect(conditionProblem(form({ kind: "trailing", trailPercent: "0.01" }), { ...context, last: 1_000 })).toEqual({ code: "alreadyMet", field: "trail" });
    expect(conditionProblem(form(), { ...context, last: null })).toEqual({ code: "noPrice", field: null });
  });

  it("a bracket's take-profit above its stop-loss, and an entry between them inside today's band", () => {
    expect(conditionProblem(form({ kind: "bracket", takeProfit: 65_000, stopLoss: 65_000 }), context)?.code).toBe("bracketPrices");
    expect(conditionProblem(form({ kind: "bracket", entry: "limit", entryPrice: 65_000 }), context)).toEqual({ code: "entryOutside", field: "entry_price" });
    expect(conditionProblem(form({ kind: "bracket", entry: "limit", entryPrice: 75_000 }), context)?.code).toBe("entryOutside");
    expect(conditionProblem(form({ kind: "bracket", entry: "limit", entryPrice: 48_000, stopLoss: 40_000 }), context)?.code).toBe("belowLower");
    expect(conditionProblem(form({ kind: "bracket", entry: "limit", entryPrice: null }), context)?.code).toBe("price");
    // no entry price needed for a market entry
    expect(conditionProblem(form({ kind: "bracket", entry: "market", entryPrice: null }), context)).toBeNull();
  });

  it("a trail of at least a won, or a percent over 0 and up to 30 with two decimals", () => {
    expect(parseTrailPercent("3")).toBe(3);
    expect(parseTrailPercent(" 0.25 ")).toBe(0.25);
    for (const bad of ["0", "30.01", "31", "1.234", "", "abc", "-1"]) expect(parseTrailPercent(bad)).toBeNull();
    expect(conditionProblem(form({ kind: "trailing", trailPercent: "35" }), context)).toEqual({ code: "trail", field: "trail" });
    expect(conditionProblem(form({ kind: "trailing", trailUnit: "won", trailAmount: 0 }), context)?.code).toBe("trail");
    expect(conditionProblem(form({ kind: "trailing", trailUnit: "won", trailAmount: 500 }), context)).toBeNull();
  });

  it("wants at least one share", () => {
    expect(conditionProblem(form({ quantity: 0 }), context)).toEqual({ code: "quantity", field: "quantity" });
  });
});

describe("startingPrices", () => {
  it("start on the tick grid on the side that does not trigger at once", () => {
    expect(startingPrices("stop", "sell", 70_000)).toEqual({ triggerPrice: 67_900, limitPrice: 67_200 });
    expect(startingPrices("stop", "buy", 70_000)).toEqual({ triggerPrice: 72_100, limitPrice: 72_800 });
    expect(startingPrices("bracket", "sell", 70_050)).toEqual({ takeProfit: 73_600, stopLoss: 67_900, entryPrice: 70_000 });
    // a trail in won: 3% in whole ticks (100 won at 70,050)
    expect(startingPrices("trailing", "sell", 70_050)).toEqual({ trailAmount: 2_100, trailPercent: "3" });
    for (const prices of [startingPrices("stop", "sell", 70_000), startingPrices("bracket", "sell", 70_000)]) {
      const problem = conditionProblem(form({ ...prices, kind: "triggerPrice" in prices ? "stop" : "bracket" }), context);
      expect(problem).toBeNull();
    }
  });
});

describe("a listed condition", () => {
  it("its trigger in a few words", () => {
    expect(triggerSummary(aCondition())).toBe("68,000원 이하");
    expect(triggerSummary(aCondition({ trigger: "take_profit", trigger_price: 75_000 }))).toBe("75,000원 이상");
    expect(triggerSummary(aCondition({ trigger: "trailing", trigger_price: null, trail_percent: "3.00" }))).toBe("최고가 −3%");
    expect(triggerSummary(aCondition({ trigger: "trailing", side: "buy", trigger_price: null, trail_amount: 1_500 }))).toBe("최저가 +1,500원");
  });

  it("the price its chart line stands at: the trigger price, or where a trailing stop triggers now", () => {
    expect(conditionLevel(aCondition())).toBe(68_000);
    expect(conditionLevel(aCondition({ trigger: "take_profit", trigger_price: 75_000 }))).toBe(75_000);
    // 3% of 72,000 is 2,160 below the high; a buy's 1,500 won above its low of 66,000
    expect(conditionLevel(aCondition({ trigger: "trailing", trigger_price: null, trail_percent: "3.00", extreme: 72_000 }))).toBe(69_840);
    expect(conditionLevel(aCondition({ trigger: "trailing", side: "buy", trigger_price: null, trail_amount: 1_500, extreme: 66_000 }))).toBe(67_500);
    // 2.5% of 71,130 is 1,778.25: floored to the won, as the server does
    expect(conditionLevel(aCondition({ trigger: "trailing", trigger_price: null, trail_percent: "2.50", extreme: 71_130 }))).toBe(69_352);
    // a trailing leg waiting on its entry has no extreme yet
    expect(conditionLevel(aCondition({ trigger: "trailing", trigger_price: null, trail_percent: "3.00", extreme: null }))).toBeNull();
  });

  it("a trailing one says where it triggers from its high so far", () => {
    const trailing = aCondition({ trigger: "trailing", trigger_price: null, trail_percent: "3.00", extreme: 72_000 });
    expect(describeTerms(trailing)).toEqual([
      "현재가가 감시 시작 후 최고가보다 3% 이상 내려가면 10주를 시장가로 매도합니다.",
      "최고가 72,000원 기준으로 69,840원 이하가 되면 발동되고, 최고가가 오르면 발동 가격도 따라 오릅니다.",
    ]);
  });
});
