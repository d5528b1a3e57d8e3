/**
 * 정정·취소 of an open order, kept apart from the dialog so it can be tested on its own: which
 * request each choice sends, and whether the order keeps its place in the queue (price-time
 * priority, 유가증권시장 업무규정 제22조②: a new price or a larger quantity counts as a new order).
 */
import { isOnTick } from "@/lib/krx";
import type { Order, OrderCancelInput, OrderModifyInput } from "@/types/models";

import { type Band, bandViolation } from "./orderTicket";

const OPEN = new Set<string>(["new", "partially_filled"]);
/** The order types that carry a price (orders.services.PRICED); the others cannot be re-priced. */
const PRICED = new Set<string>(["limit", "conditional"]);

export const isOpenOrder = (order: Pick<Order, "status">) => OPEN.has(order.status);

export const isPricedOrder = (order: Pick<Order, "type">) => PRICED.has(order.type);

/** Shares still waiting to trade. */
export const openQuantity = (order: Pick<Order, "quantity" | "filled_quantity">) => Math.max(0, order.quantity - order.filled_quantity);

/** Why an order loses its time priority with this change (empty: it keeps its place). */
export type PriorityLoss = "price" | "quantityUp";

export interface ModifyPlan {
  /** The body of POST orders/<id>/modify: only what changes. */
  request: OrderModifyInput;
  price: { from: number | null; to: number } | null;
  quantity: { from: number; to: number } | null;
  losses: PriorityLoss[];
}

/**
 * What a 정정 to `price` / `quantity` (the new open quantity) would send, or null when it changes
 * nothing. A price equal to the current one is no change (the exchange keeps the priority then).
 */
export function planModify(order: Order, change: { price: number | null; quantity: number }): ModifyPlan | null {
  const open = openQuantity(order);
  const newPrice = isPricedOrder(order) && change.price !== null && change.price !== order.price ? change.price : null;
  const newQuantity = change.quantity !== open ? change.quantity : null;
  if (newPrice === null && newQuantity === null) return null;
  const request: OrderModifyInput = {};
  if (newPrice !== null) request.price = newPrice;
  if (newQuantity !== null) request.quantity = newQuantity;
  const losses: PriorityLoss[] = [];
  if (newPrice !== null) losses.push("price");
  if (newQuantity !== null && newQuantity > open) losses.push("quantityUp");
  return {
    request,
    price: newPrice !== null ? { from: order.price ?? null, to: newPrice } : null,
    quantity: newQuantity !== null ? { from: open, to: newQuantity } : null,
    losses,
  };
}

export type ModifyProblem = "offTick" | "aboveUpper" | "belowLower" | "quantity" | "unchanged";

/** Why the 정정 form may not go on yet (checked again by the server, whose message is shown). */
export function modifyProblem(order: Order, change: { price: number | null; quantity: number }, band: Band | null = null): ModifyProblem | null {
  if (!Number.isInteger(change.quantity) || change.quantity < 1) return "quantity";
  if (isPricedOrder(order) && change.price !== null && change.price !== order.price) {
    if (!isOnTick(change.price)) return "offTick";
    const violation = bandViolation(change.price, band);
    if (violation) return violation === "above" ? "aboveUpper" : "belowLower";
  }
  return planModify(order, change) === null ? "unchanged" : null;
}

export interface CancelPlan {
  /** The body of POST orders/<id>/cancel: empty cancels all that is open. */
  request: OrderCancelInput;
  cancelled: number;
  remaining: number;
}

/** What a 취소 of `quantity` shares (null: all) would send; all of it when it is the whole open quantity. */
export function planCancel(order: Order, quantity: number | null): CancelPlan | null {
  const open = openQuantity(order);
  if (quantity === null || quantity === open) return { request: {}, cancelled: open, remaining: 0 };
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > open) return null;
  return { request: { quantity }, cancelled: quantity, remaining: open - quantity };
}
