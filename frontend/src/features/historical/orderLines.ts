/**
 * Dragging an open order's price line on the chart to propose a 정정, kept apart from the chart so
 * it can be tested on its own: which line a press takes, and the price a pointer's height proposes.
 *
 * The price is the chart's price at the pointer (series.coordinateToPrice), put on the KRX tick grid
 * of that price. It is never pulled into the day's price band: a price outside it goes to the server
 * as proposed, and the 정정 dialog shows the server's refusal.
 */
import { roundToTick } from "@/lib/krx";
import type { Order } from "@/types/models";

/** How far from a line (CSS px) a press still takes it: a finger covers more than a mouse pointer. */
const GRAB_TOLERANCE: Record<string, number> = { mouse: 5, pen: 8, touch: 16 };

export const grabTolerance = (pointerType: string): number => GRAB_TOLERANCE[pointerType] ?? GRAB_TOLERANCE.mouse;

/** A finger held this long (ms) on a line takes it: a plain swipe over the chart still pans it. */
export const LONG_PRESS_MS = 400;

/** A finger that moves more than this (CSS px) before the long press is over is panning instead. */
export const LONG_PRESS_SLOP = 8;

/** The order types whose price a 정정 may change (orders.services.PRICED): limit and 조건부지정가. */
const PRICED = new Set<string>(["limit", "conditional"]);

/** Whether the chart lets this order's line be dragged to a new price. */
export const isDraggableOrder = (order: Pick<Order, "type" | "status" | "price">): boolean =>
  PRICED.has(order.type) && (order.status === "new" || order.status === "partially_filled") && !!order.price;

/** A line on the price pane: `y` is its height from the pane's top (null: the scale cannot place it yet). */
export interface LineAt {
  id: number;
  y: number | null;
}

/**
 * The line a press at `y` takes: the nearest one within `tolerance` px that lies on the pane
 * (0 ≤ y ≤ `paneHeight`), or null. Of two equally near, the first listed.
 */
export function lineAt(y: number, lines: readonly LineAt[], tolerance: number, paneHeight: number): number | null {
  if (y < 0 || y > paneHeight) return null;
  let best: { id: number; distance: number } | null = null;
  for (const line of lines) {
    if (line.y === null || line.y < 0 || line.y > paneHeight) continue;
    const distance = Math.abs(line.y - y);
    if (distance <= tolerance && (best === null || distance < best.distance)) best = { id: line.id, distance };
  }
  return best?.id ?? null;
}

/**
 * The price a pointer at `y` (from the price pane's top) proposes: the chart's price there, to the
 * nearest tick of that price (1 won at least; KRX has no lower price). The pointer is kept on the
 * pane, so the line it drags stays in view. Null while the scale has no price for it.
 */
export function priceAtY(y: number, paneHeight: number, coordinateToPrice: (y: number) => number | null): number | null {
  const onPane = Math.min(Math.max(y, 0), Math.max(paneHeight, 0));
  const raw = coordinateToPrice(onPane);
  if (raw === null || !Number.isFinite(raw)) return null;
  return roundToTick(Math.max(raw, 1));
}
