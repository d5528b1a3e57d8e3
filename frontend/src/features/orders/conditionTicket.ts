/**
 * 자동감시주문 (conditional orders), kept apart from the ticket so it can be tested on its own: what
 * each form sends (POST conditions or conditions/bracket), why it may not go on yet, and the plain
 * sentence that says what the platform will do. The rules mirror orders/conditions.py, which
 * checks them again and whose message is shown when it refuses.
 *
 *   stop         sell when last ≤ price, buy when last ≥ price
 *   take_profit  sell when last ≥ price, buy when last ≤ price
 *   trailing     sell when last ≤ highest since armed − trail (a buy mirrors it from the lowest)
 *   bracket      a take-profit and a stop-loss sell, one-cancels-other, on shares held or on an entry buy
 */
import { formatWon } from "@/lib/format";
import { isOnTick, roundToTick, tickSizeFor } from "@/lib/krx";
import type { Language } from "@/stores/ui";
import type { Condition, ConditionInput, OrderSide } from "@/types/models";

import type { ConditionRequest } from "./api/conditions";
import { type Band, bandViolation } from "./orderTicket";

export type ConditionKind = "stop" | "take_profit" | "trailing" | "bracket";
export type TrailUnit = "won" | "percent";
/** A bracket's entry: none (the legs watch shares held), or a buy placed first. */
export type EntryMode = "none" | "limit" | "market";
export type TriggerOrderType = ConditionInput["order_type"];

export interface ConditionForm {
  kind: ConditionKind;
  /** stop, take_profit, trailing; a bracket's legs always sell. */
  side: OrderSide;
  quantity: number;
  /** stop, take_profit. */
  triggerPrice: number | null;
  trailUnit: TrailUnit;
  trailAmount: number | null;
  /** As typed: up to two decimals, 0 < % ≤ 30. */
  trailPercent: string;
  /** The order the trigger places. */
  orderType: TriggerOrderType;
  limitPrice: number | null;
  takeProfit: number | null;
  stopLoss: number | null;
  entry: EntryMode;
  entryPrice: number | null;
}

export interface TicketContext {
  account: number;
  symbol: string;
  /** The last price: what the server arms the condition at (and refuses one it already meets at). */
  last: number | null;
  band?: Band | null;
}

export type ConditionField = "quantity" | "trigger_price" | "trail" | "limit_price" | "take_profit" | "stop_loss" | "entry_price";

export type ConditionProblemCode =
  | "quantity"
  | "price"
  | "offTick"
  | "aboveUpper"
  | "belowLower"
  | "trail"
  | "bracketPrices"
  | "entryOutside"
  | "alreadyMet"
  | "noPrice";

export interface ConditionProblem {
  code: ConditionProblemCode;
  field: ConditionField | null;
}

const TRAIL_PERCENT = /^\d{1,2}(\.\d{1,2})?$/;

/** The trail percent as sent (a number, two decimals kept), or null when it is not 0 < % ≤ 30. */
export function parseTrailPercent(text: string): number | null {
  const trimmed = text.trim();
  if (!TRAIL_PERCENT.test(trimmed)) return null;
  const value = Number(trimmed);
  return value > 0 && value <= 30 ? value : null;
}

/** The trailing stop's distance from `extreme`, in won (Condition.trail: percent floored to the won). */
export function trailWon(extreme: number, trail: { amount?: number | null; percent?: number | string | null }): number {
  if (trail.amount) return trail.amount;
  return Math.floor((extreme * Number(trail.percent ?? 0)) / 100);
}

/** Whether a condition on these prices sells when the last price falls to it (or rises to it). */
const triggersFalling = (trigger: "stop" | "take_profit", side: OrderSide) => (trigger === "stop") === (side === "sell");

/** Prices a fresh form starts from, around the last price, on the tick grid. */
export function startingPrices(kind: ConditionKind, side: OrderSide, last: number) {
  const below = (pct: number) => roundToTick((last * (100 - pct)) / 100, "down");
  const above = (pct: number) => roundToTick((last * (100 + pct)) / 100, "up");
  if (kind === "bracket") return { takeProfit: above(5), stopLoss: below(3), entryPrice: roundToTick(last, "down") };
  if (kind === "trailing") {
    // 3% in whole ticks of the last price
    const tick = tickSizeFor(last);
    return { trailAmount: Math.max(tick, Math.floor((last * 0.03) / tick) * tick), trailPercent: "3" };
  }
  const falling = triggersFalling(kind, side);
  return { triggerPrice: falling ? below(3) : above(3), limitPrice: falling ? below(4) : above(4) };
}

function priceProblem(price: number | null, field: ConditionField): ConditionProblem | null {
  if (price === null || price <= 0) return { code: "price", field };
  if (!isOnTick(price)) return { code: "offTick", field };
  return null;
}

/** Why the form may not go on yet; null when planCondition has a request for it. */
export function conditionProblem(form: ConditionForm, context: Pick<TicketContext, "last" | "band">): ConditionProblem | null {
  if (!Number.isInteger(form.quantity) || form.quantity < 1) return { code: "quantity", field: "quantity" };
  const last = context.last;
  if (form.kind === "bracket") {
    const problem = priceProblem(form.takeProfit, "take_profit") ?? priceProblem(form.stopLoss, "stop_loss");
    if (problem) return problem;
    const takeProfit = form.takeProfit as number;
    const stopLoss = form.stopLoss as number;
    if (takeProfit <= stopLoss) return { code: "bracketPrices", field: "take_profit" };
    if (form.entry === "limit") {
      const entryProblem = priceProblem(form.entryPrice, "entry_price");
      if (entryProblem) return entryProblem;
      const entryPrice = form.entryPrice as number;
      const violation = bandViolation(entryPrice, context.band ?? null);
      if (violation) return { code: violation === "above" ? "aboveUpper" : "belowLower", field: "entry_price" };
      // A buy at or under the stop would trigger the stop as soon as it fills.
      if (entryPrice <= stopLoss || entryPrice >= takeProfit) return { code: "entryOutside", field: "entry_price" };
    }
    if (last === null) return { code: "noPrice", field: null };
    if (last >= takeProfit) return { code: "alreadyMet", field: "take_profit" };
    if (last <= stopLoss) return { code: "alreadyMet", field: "stop_loss" };
    return null;
  }
  if (form.kind === "trailing") {
    if (form.trailUnit === "won") {
      if (form.trailAmount === null || !Number.isInteger(form.trailAmount) || form.trailAmount < 1) return { code: "trail", field: "trail" };
    } else if (parseTrailPercent(form.trailPercent) === null) {
      return { code: "trail", field: "trail" };
    }
  } else {
    const problem = priceProblem(form.triggerPrice, "trigger_price");
    if (problem) return problem;
  }
  if (form.orderType === "limit") {
    const problem = priceProblem(form.limitPrice, "limit_price");
    if (problem) return problem;
  }
  if (last === null) return { code: "noPrice", field: null };
  if (form.kind === "trailing") {
    // Armed at the last price: a trail that rounds to 0 won is met at once.
    const trail = trailWon(last, { amount: form.trailUnit === "won" ? form.trailAmount : null, percent: parseTrailPercent(form.trailPercent) });
    if (trail < 1) return { code: "alreadyMet", field: "trail" };
    return null;
  }
  const price = form.triggerPrice as number;
  const met = triggersFalling(form.kind, form.side) ? last <= price : last >= price;
  return met ? { code: "alreadyMet", field: "trigger_price" } : null;
}

/** The request the form sends, or null while conditionProblem has something to say. */
export function planCondition(form: ConditionForm, context: TicketContext): ConditionRequest | null {
  if (conditionProblem(form, context) !== null) return null;
  if (form.kind === "bracket") {
    return {
      kind: "bracket",
      request: {
        account: context.account,
        symbol: context.symbol,
        quantity: form.quantity,
        take_profit: form.takeProfit as number,
        stop_loss: form.stopLoss as number,
        ...(form.entry === "limit" ? { entry: { type: "limit", price: form.entryPrice as number } } : {}),
        ...(form.entry === "market" ? { entry: { type: "market" } } : {}),
      },
    };
  }
  const request: ConditionInput = {
    account: context.account,
    symbol: context.symbol,
    side: form.side,
    quantity: form.quantity,
    trigger: form.kind,
    order_type: form.orderType,
  };
  if (form.kind === "trailing") {
    if (form.trailUnit === "won") request.trail_amount = form.trailAmount as number;
    else request.trail_percent = parseTrailPercent(form.trailPercent) as number;
  } else {
    request.trigger_price = form.triggerPrice as number;
  }
  if (form.orderType === "limit") request.limit_price = form.limitPrice as number;
  return { kind: "condition", request };
}

// --- what it says ---------------------------------------------------------------------------------

/** The fields a sentence needs, common to a request (ConditionInput) and a listed Condition. */
export type ConditionTerms = Pick<ConditionInput, "side" | "quantity" | "trigger"> & {
  trigger_price?: number | null;
  trail_amount?: number | null;
  trail_percent?: number | string | null;
  limit_price?: number | null;
  /** A listed trailing condition: the best price since it was armed. */
  extreme?: number | null;
  /** A listed condition's is the order model's wider type; only market and limit are placed. */
  order_type: ConditionInput["order_type"] | Condition["order_type"];
};

const percentText = (value: number | string) => `${Number(value)}%`;

/** 을 after a final consonant (주식을), 를 after a vowel (10주를). */
function objectParticle(word: string): string {
  const code = word.charCodeAt(word.length - 1) - 0xac00;
  const batchim = code >= 0 && code <= 11_171 && code % 28 !== 0;
  return `${word}${batchim ? "을" : "를"}`;
}

const text = {
  ko: {
    won: (value: number) => `${formatWon(value)}원`,
    shares: (quantity: number) => `${formatWon(quantity)}주`,
    side: (side: OrderSide) => (side === "sell" ? "매도" : "매수"),
    order: (terms: ConditionTerms) => (terms.order_type === "limit" && terms.limit_price ? `${formatWon(terms.limit_price)}원 지정가` : "시장가"),
    // 이하가 / 이상이: the particle follows the word's last syllable.
    cross: (price: number, falling: boolean, quantity: string, order: string, side: string) =>
      `현재가가 ${formatWon(price)}원 ${falling ? "이하가" : "이상이"} 되면 ${objectParticle(quantity)} ${order}로 ${side}합니다.`,
    trailing: (sell: boolean, trail: string, quantity: string, order: string, side: string) =>
      sell
        ? `현재가가 감시 시작 후 최고가보다 ${trail} 이상 내려가면 ${objectParticle(quantity)} ${order}로 ${side}합니다.`
        : `현재가가 감시 시작 후 최저가보다 ${trail} 이상 올라가면 ${objectParticle(quantity)} ${order}로 ${side}합니다.`,
    trailingNow: (sell: boolean, extreme: number, at: number, listed: boolean) =>
      sell
        ? `${listed ? "최고가" : "지금 현재가"} ${formatWon(extreme)}원 기준으로 ${formatWon(at)}원 이하가 되면 발동되고, 최고가가 오르면 발동 가격도 따라 오릅니다.`
        : `${listed ? "최저가" : "지금 현재가"} ${formatWon(extreme)}원 기준으로 ${formatWon(at)}원 이상이 되면 발동되고, 최저가가 내리면 발동 가격도 따라 내립니다.`,
    entry: (quantity: string, price: number | null) =>
      `먼저 ${objectParticle(quantity)} ${price ? `${formatWon(price)}원 지정가` : "시장가"}로 매수합니다. 아래 두 조건은 매수가 체결될 때까지 대기하다가 체결된 수량만큼 감시합니다.`,
    held: (quantity: string) => `보유 중인 ${quantity}에 이익실현과 손절을 함께 겁니다.`,
    filledShares: "체결된 주식",
    takeProfit: "이익실현",
    stopLoss: "손절",
    leg: (sentence: string, name: string) => `${name}: ${sentence}`,
    oco: "둘 중 하나가 발동되면 다른 하나는 자동으로 취소됩니다.",
  },
  en: {
    won: (value: number) => `₩${formatWon(value)}`,
    shares: (quantity: number) => `${formatWon(quantity)} shares`,
    side: (side: OrderSide) => (side === "sell" ? "sell" : "buy"),
    order: (terms: ConditionTerms) => (terms.order_type === "limit" && terms.limit_price ? `a limit order at ₩${formatWon(terms.limit_price)}` : "a market order"),
    cross: (price: number, falling: boolean, quantity: string, order: string, side: string) =>
      `When the last price is ${falling ? "at or below" : "at or above"} ₩${formatWon(price)}, ${side} ${quantity} with ${order}.`,
    trailing: (sell: boolean, trail: string, quantity: string, order: string, side: string) =>
      sell
        ? `When the last price falls ${trail} or more below its highest since armed, ${side} ${quantity} with ${order}.`
        : `When the last price rises ${trail} or more above its lowest since armed, ${side} ${quantity} with ${order}.`,
    trailingNow: (sell: boolean, extreme: number, at: number, listed: boolean) =>
      sell
        ? `From ${listed ? "the high of" : "the last price,"} ₩${formatWon(extreme)} it triggers at or below ₩${formatWon(at)}; a new high moves it up.`
        : `From ${listed ? "the low of" : "the last price,"} ₩${formatWon(extreme)} it triggers at or above ₩${formatWon(at)}; a new low moves it down.`,
    entry: (quantity: string, price: number | null) =>
      `First buy ${quantity} ${price ? `with a limit order at ₩${formatWon(price)}` : "at market"}. The two conditions below wait until it fills, then watch the shares filled.`,
    held: (quantity: string) => `A take-profit and a stop-loss on ${quantity} held.`,
    filledShares: "the shares filled",
    takeProfit: "Take profit",
    stopLoss: "Stop loss",
    leg: (sentence: string, name: string) => `${name}: ${sentence}`,
    oco: "When one triggers, the other is cancelled.",
  },
} as const;

/**
 * The sentence for one condition: "현재가가 68,000원 이하가 되면 10주를 시장가로 매도합니다." A trailing
 * one adds where it triggers now, from `last` (a new one) or from its `extreme` (a listed one).
 */
export function describeTerms(terms: ConditionTerms, { last = null, language = "ko" }: { last?: number | null; language?: Language } = {}): string[] {
  const say = text[language];
  const quantity = say.shares(terms.quantity);
  const order = say.order(terms);
  const side = say.side(terms.side);
  if (terms.trigger === "trailing") {
    const sell = terms.side === "sell";
    const trail = terms.trail_amount ? say.won(terms.trail_amount) : percentText(terms.trail_percent ?? 0);
    const lines: string[] = [say.trailing(sell, trail, quantity, order, side)];
    const from = terms.extreme ?? last;
    if (from) {
      const distance = trailWon(from, { amount: terms.trail_amount, percent: terms.trail_percent });
      lines.push(say.trailingNow(sell, from, sell ? from - distance : from + distance, terms.extreme != null));
    }
    return lines;
  }
  return [say.cross(terms.trigger_price ?? 0, triggersFalling(terms.trigger, terms.side), quantity, order, side)];
}

/** What the request will do, sentence by sentence, for the confirmation step. */
export function describeRequest(plan: ConditionRequest, options: { last?: number | null; language?: Language } = {}): string[] {
  const language = options.language ?? "ko";
  if (plan.kind === "condition") return describeTerms(plan.request, options);
  const say = text[language];
  const { quantity, take_profit, stop_loss, entry } = plan.request;
  const legQuantity = entry ? say.filledShares : say.shares(quantity);
  const leg = (price: number, falling: boolean, name: string) =>
    say.leg(say.cross(price, falling, legQuantity, language === "ko" ? "시장가" : "a market order", say.side("sell")), name);
  return [
    entry ? say.entry(say.shares(quantity), entry.type === "limit" ? (entry.price ?? null) : null) : say.held(say.shares(quantity)),
    leg(take_profit, false, say.takeProfit),
    leg(stop_loss, true, say.stopLoss),
    say.oco,
  ];
}

/** The trigger in a few words for a list: "68,000원 이하", "최고가 −3%". */
export function triggerSummary(terms: ConditionTerms, language: Language = "ko"): string {
  const ko = language === "ko";
  if (terms.trigger === "trailing") {
    const trail = terms.trail_amount ? text[language].won(terms.trail_amount) : percentText(terms.trail_percent ?? 0);
    if (terms.side === "sell") return ko ? `최고가 −${trail}` : `high −${trail}`;
    return ko ? `최저가 +${trail}` : `low +${trail}`;
  }
  const falling = triggersFalling(terms.trigger, terms.side);
  const price = formatWon(terms.trigger_price ?? 0);
  return ko ? `${price}원 ${falling ? "이하" : "이상"}` : `${falling ? "≤" : "≥"} ₩${price}`;
}
