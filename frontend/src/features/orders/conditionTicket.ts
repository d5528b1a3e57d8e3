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
import { type MessageKey, type MessageValues, translate } from "@/lib/i18n";
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

/**
 * The price a condition watches now, for a price line: a stop's or a take-profit's trigger price; a
 * trailing stop's current trigger (its extreme since armed ∓ the trail), or null before it is armed.
 */
export function conditionLevel(
  condition: Pick<Condition, "trigger" | "side" | "trigger_price" | "extreme" | "trail_amount" | "trail_percent">,
): number | null {
  if (condition.trigger !== "trailing") return condition.trigger_price ?? null;
  const extreme = condition.extreme ?? null;
  if (extreme === null) return null;
  const distance = trailWon(extreme, { amount: condition.trail_amount, percent: condition.trail_percent });
  return condition.side === "sell" ? extreme - distance : extreme + distance;
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

/** The sentences' words, from the one catalog (lib/i18n.ts: "conditionText.*"). */
function wordsFor(language: Language) {
  const say = (key: MessageKey, values?: MessageValues) => translate(language, key, values);
  return {
    say,
    won: (value: number) => say("conditionText.won", { value: formatWon(value) }),
    shares: (quantity: number) => say("conditionText.shares", { quantity: formatWon(quantity) }),
    side: (side: OrderSide) => say(side === "sell" ? "conditionText.sell" : "conditionText.buy"),
    order: (terms: Pick<ConditionTerms, "order_type" | "limit_price">) =>
      terms.order_type === "limit" && terms.limit_price
        ? say("conditionText.limit", { price: formatWon(terms.limit_price) })
        : say("conditionText.market"),
  };
}

/**
 * The sentence for one condition: "현재가가 68,000원 이하가 되면 10주를 시장가로 매도합니다." A trailing
 * one adds where it triggers now, from `last` (a new one) or from its `extreme` (a listed one).
 */
export function describeTerms(terms: ConditionTerms, { last = null, language = "ko" }: { last?: number | null; language?: Language } = {}): string[] {
  const words = wordsFor(language);
  const values = { quantity: words.shares(terms.quantity), order: words.order(terms), side: words.side(terms.side) };
  if (terms.trigger === "trailing") {
    const sell = terms.side === "sell";
    const trail = terms.trail_amount ? words.won(terms.trail_amount) : percentText(terms.trail_percent ?? 0);
    const lines: string[] = [words.say(sell ? "conditionText.trailingSell" : "conditionText.trailingBuy", { ...values, trail })];
    const from = terms.extreme ?? last;
    if (from) {
      const listed = terms.extreme != null;
      const distance = trailWon(from, { amount: terms.trail_amount, percent: terms.trail_percent });
      const key: MessageKey = sell
        ? listed
          ? "conditionText.trailingSellFromHigh"
          : "conditionText.trailingSellFromLast"
        : listed
          ? "conditionText.trailingBuyFromLow"
          : "conditionText.trailingBuyFromLast";
      lines.push(words.say(key, { extreme: formatWon(from), at: formatWon(sell ? from - distance : from + distance) }));
    }
    return lines;
  }
  const falling = triggersFalling(terms.trigger, terms.side);
  return [words.say(falling ? "conditionText.crossFalling" : "conditionText.crossRising", { ...values, price: formatWon(terms.trigger_price ?? 0) })];
}

/** What the request will do, sentence by sentence, for the confirmation step. */
export function describeRequest(plan: ConditionRequest, options: { last?: number | null; language?: Language } = {}): string[] {
  if (plan.kind === "condition") return describeTerms(plan.request, options);
  const words = wordsFor(options.language ?? "ko");
  const { quantity, take_profit, stop_loss, entry } = plan.request;
  const shares = words.shares(quantity);
  const legValues = {
    quantity: entry ? words.say("conditionText.filledShares") : shares,
    order: words.say("conditionText.market"),
    side: words.side("sell"),
  };
  const leg = (price: number, falling: boolean, name: MessageKey) =>
    words.say("conditionText.leg", {
      name: words.say(name),
      sentence: words.say(falling ? "conditionText.crossFalling" : "conditionText.crossRising", { ...legValues, price: formatWon(price) }),
    });
  const opening = !entry
    ? words.say("conditionText.held", { quantity: shares })
    : entry.type === "limit" && entry.price
      ? words.say("conditionText.entryLimit", { quantity: shares, price: formatWon(entry.price) })
      : words.say("conditionText.entryMarket", { quantity: shares });
  return [opening, leg(take_profit, false, "conditionText.takeProfit"), leg(stop_loss, true, "conditionText.stopLoss"), words.say("conditionText.oco")];
}

/** The trigger in a few words for a list: "68,000원 이하", "최고가 −3%". */
export function triggerSummary(terms: ConditionTerms, language: Language = "ko"): string {
  const words = wordsFor(language);
  if (terms.trigger === "trailing") {
    const trail = terms.trail_amount ? words.won(terms.trail_amount) : percentText(terms.trail_percent ?? 0);
    return words.say(terms.side === "sell" ? "conditionText.belowHigh" : "conditionText.aboveLow", { trail });
  }
  const falling = triggersFalling(terms.trigger, terms.side);
  return words.say(falling ? "conditionText.atOrBelow" : "conditionText.atOrAbove", { price: formatWon(terms.trigger_price ?? 0) });
}
